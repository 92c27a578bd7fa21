// A run's checkpoints on local disk: <runDir>/checkpoints/step-000000100.tar. Each is written to a temp
// name, fsynced, renamed into place and the directory fsynced, so a name that matches the pattern is
// always a complete file: a crash mid-write leaves only a temp file, which listing ignores and the next
// writer removes (the half-written checkpoint picked up on resume of transformers #27820 cannot happen).
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface LocalCheckpoint {
  step: number;
  path: string;
}

const NAME = /^step-(\d{9,})\.tar$/;
const TEMP_PREFIX = '.tmp-';

export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(9, '0')}.tar`;
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` as the checkpoint of `step` in `dir`, atomically and durably; returns its path. */
export async function writeCheckpointFile(dir: string, step: number, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  const final = join(dir, checkpointFileName(step));
  const temp = join(dir, `${TEMP_PREFIX}${checkpointFileName(step)}.${process.pid}.${Date.now()}`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, final);
  await fsyncPath(dir, 'r');
  return final;
}

/** Complete checkpoints in `dir`, oldest first (an absent dir has none). */
export async function listCheckpoints(dir: string): Promise<LocalCheckpoint[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => ({ name, match: NAME.exec(name) }))
    .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
    .map(({ name, match }) => ({ step: Number(match[1]), path: join(dir, name) }))
    .sort((a, b) => a.step - b.step);
}

/** Removes temp files a crashed writer left behind. */
export async function removeTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names.filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => rm(join(dir, n), { force: true })),
  );
}

/**
 * Keeps the newest `keepLast` checkpoints and those of `protectedSteps` (the best); deletes the rest.
 * Chosen by step number, never by file time (rotation by mtime deleted the wrong ones in transformers
 * #11769 / #25129). Returns the steps deleted.
 */
export async function rotateCheckpoints(
  dir: string,
  keepLast: number,
  protectedSteps: readonly number[] = [],
): Promise<number[]> {
  const all = await listCheckpoints(dir);
  const keep = new Set([...all.slice(-Math.max(1, keepLast)).map((c) => c.step), ...protectedSteps]);
  const doomed = all.filter((c) => !keep.has(c.step));
  await Promise.all(doomed.map((c) => rm(c.path, { force: true })));
  return doomed.map((c) => c.step);
}
