import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import * as path from 'node:path';

import { failedPrecondition } from '@headstart/errors';

/** Lock files held by this process, so a second service in the same process is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  /** Absolute path of the lock file. */
  readonly file: string;
  /** Removes the lock file; safe to call more than once. */
  release(): Promise<void>;
}

export interface DataDirLockOptions {
  /** Name of the lock file in the directory, e.g. `LOCK`; services sharing a directory pick distinct ones. */
  fileName: string;
  /** What holds it, for the refusal: `registry` → "in use by another registry (pid 123)". */
  holder: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/<fileName>` for this process (created if need be), the lock file holding our pid. A
 * service whose state lives in the directory (SQLite, blobs, scratch space) must not share it with a
 * second instance, which would resume or collect the same things; that second one is refused with
 * FAILED_PRECONDITION, whether it runs in another process or in this one. A lock left by a process
 * that no longer exists (a crash) is taken over.
 */
export async function lockDataDir(dir: string, options: DataDirLockOptions): Promise<DataDirLock> {
  const file = path.resolve(dir, options.fileName);
  if (heldHere.has(file)) throw failedPrecondition(`data directory ${dir} is already used by this process`);
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldHere.add(file);
      return {
        file,
        release: async () => {
          if (!heldHere.delete(file)) return;
          await unlink(file).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw failedPrecondition(
          `data directory ${dir} is in use by another ${options.holder} (pid ${owner})`,
        );
      }
      // Stale: its owner is gone (or it is ours from a previous, crashed life of this pid).
      await unlink(file).catch(() => undefined);
    }
  }
  throw failedPrecondition(`could not lock data directory ${dir}`);
}
