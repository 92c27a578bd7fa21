import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { failedPrecondition } from '@headstart/errors';

/** Lock files held by this process, so a second ingest service in the same process is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): Promise<void>;
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
 * Takes `<dir>/ingest.lock` for this process. Two ingest services on one directory would both resume
 * the same unfinished jobs and empty each other's scratch space, so the second is refused. A lock left
 * by a process that no longer exists (a crash) is taken over. The name leaves room for a registry
 * sharing the directory (its lock is `LOCK`).
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const file = path.resolve(dir, 'ingest.lock');
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
        throw failedPrecondition(`data directory ${dir} is in use by another ingest service (pid ${owner})`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw failedPrecondition(`could not lock data directory ${dir}`);
}
