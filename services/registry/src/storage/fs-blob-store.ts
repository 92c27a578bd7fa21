import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';

import { dataLoss } from '@headstart/errors';

import type { BlobInfo, BlobStore, BlobWriter, ReadBlobOptions } from './blob-store';

const DIGEST = /^[0-9a-f]{64}$/;

export interface FsBlobStoreOptions {
  /** Root directory; blobs live in `<root>/sha256/ab/cd/<digest>`, uploads in `<root>/tmp`. */
  root: string;
}

/**
 * Blobs as files named by their sha256, fanned out over two directory levels so no directory grows
 * past 65 536 entries. Writes go to `<root>/tmp` (same file system, so the final rename is atomic),
 * are fsynced, renamed into place, and the directory is fsynced so the rename itself survives a
 * power cut. Stored files are made read-only: blobs are immutable.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;
  private readonly tmpDir: string;
  private readonly blobDir: string;

  private constructor(root: string) {
    this.root = root;
    this.tmpDir = path.join(root, 'tmp');
    this.blobDir = path.join(root, 'sha256');
  }

  static async open(options: FsBlobStoreOptions): Promise<FsBlobStore> {
    const store = new FsBlobStore(path.resolve(options.root));
    await mkdir(store.tmpDir, { recursive: true });
    await mkdir(store.blobDir, { recursive: true });
    return store;
  }

  pathOf(sha256: string): string {
    if (!DIGEST.test(sha256)) throw new Error(`not a sha256 digest: ${JSON.stringify(sha256)}`);
    return path.join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async createWriter(): Promise<BlobWriter> {
    const tmpPath = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const handle = await open(tmpPath, 'wx', 0o600);
    return new FsBlobWriter(this, tmpPath, handle);
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.pathOf(sha256));
      return { sha256, size: info.size };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async *read(sha256: string, options: ReadBlobOptions): AsyncIterable<Buffer> {
    const info = await this.stat(sha256);
    if (!info) throw dataLoss(`blob ${sha256} is missing from the blob store`);
    const hash = createHash('sha256');
    let size = 0;
    const stream = createReadStream(this.pathOf(sha256), { highWaterMark: options.chunkBytes });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
    const actual = hash.digest('hex');
    if (actual !== sha256 || size !== info.size) {
      throw dataLoss(`blob ${sha256} is corrupt: its ${size} bytes hash to ${actual}`);
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(sha256));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<string> {
    for (const a of await readdir(this.blobDir)) {
      for (const b of await readdirIfDir(path.join(this.blobDir, a))) {
        for (const name of await readdirIfDir(path.join(this.blobDir, a, b))) {
          if (DIGEST.test(name) && name.startsWith(a + b)) yield name;
        }
      }
    }
  }

  async removeTemporaryFiles(): Promise<number> {
    const names = await readdir(this.tmpDir);
    await Promise.all(
      names.map((name) => rm(path.join(this.tmpDir, name), { force: true, recursive: true })),
    );
    return names.length;
  }

  /** Moves a finished temporary file under its digest. Called by the writer. */
  async place(tmpPath: string, info: BlobInfo): Promise<void> {
    const target = this.pathOf(info.sha256);
    const existing = await this.stat(info.sha256);
    if (existing && existing.size === info.size) {
      // Same content already stored (content addressing): keep it, drop the copy.
      await unlink(tmpPath);
      return;
    }
    const created = await mkdirTracked(path.dirname(target), this.blobDir);
    await rename(tmpPath, target);
    await fsyncDir(path.dirname(target));
    // New directories must be made durable in their parents too, or the rename can vanish with them.
    for (const dir of created) await fsyncDir(path.dirname(dir));
  }
}

class FsBlobWriter implements BlobWriter {
  private readonly hash: Hash = createHash('sha256');
  private written = 0;
  private finished: BlobInfo | undefined;
  private state: 'open' | 'finished' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly store: FsBlobStore,
    private readonly tmpPath: string,
    private readonly handle: FileHandle,
  ) {}

  get size(): number {
    return this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`blob writer is ${this.state}`);
    this.hash.update(chunk);
    this.written += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
  }

  async finish(): Promise<BlobInfo> {
    if (this.finished) return this.finished;
    if (this.state !== 'open') throw new Error(`blob writer is ${this.state}`);
    await this.handle.sync();
    await this.handle.close();
    await chmod(this.tmpPath, 0o444);
    this.state = 'finished';
    this.finished = { sha256: this.hash.digest('hex'), size: this.written };
    return this.finished;
  }

  async commit(): Promise<BlobInfo> {
    const info = await this.finish();
    await this.store.place(this.tmpPath, info);
    this.state = 'committed';
    return info;
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    if (this.state === 'open') await this.handle.close().catch(() => undefined);
    this.state = 'aborted';
    await rm(this.tmpPath, { force: true });
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readdirIfDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR' || isNotFound(err)) return [];
    throw err;
  }
}

/** mkdir -p that returns the directories it created, outermost first. */
async function mkdirTracked(dir: string, stopAt: string): Promise<string[]> {
  const missing: string[] = [];
  for (let current = dir; current !== stopAt && current.startsWith(stopAt); current = path.dirname(current)) {
    try {
      await stat(current);
      break;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missing.unshift(current);
    }
  }
  await mkdir(dir, { recursive: true });
  return missing;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
