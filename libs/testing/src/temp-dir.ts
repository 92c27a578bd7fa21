import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempDir {
  /** Absolute path of the directory (created, empty). */
  readonly path: string;
  /** Deletes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
  /** Same as `remove()`, so tests can write `await using dir = await makeTempDir('x')`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates a fresh directory under the OS temp dir, named `headstart-<prefix>-XXXXXX`.
 * Pair it with `await using` (or call `remove()` in `afterEach`/`afterAll`).
 */
export async function makeTempDir(prefix = 'test'): Promise<TempDir> {
  const safePrefix = prefix.replace(/[^A-Za-z0-9_.-]/g, '_');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `headstart-${safePrefix}-`));
  const remove = async (): Promise<void> => {
    // maxRetries: a child process (e.g. nats-server) may still be closing files when we get here.
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  };
  return { path: dir, remove, [Symbol.asyncDispose]: remove };
}
