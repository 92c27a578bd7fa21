import { createHash, randomBytes } from 'node:crypto';
import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { Code, HeadstartError } from '@headstart/errors';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';

import { FsBlobStore } from './fs-blob-store';

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

async function storeBytes(store: FsBlobStore, bytes: Buffer, pieces = 3): Promise<string> {
  const writer = await store.createWriter();
  const step = Math.ceil(bytes.length / pieces);
  for (let i = 0; i < bytes.length; i += step) await writer.write(bytes.subarray(i, i + step));
  return (await writer.commit()).sha256;
}

describe('FsBlobStore', () => {
  let dir: TempDir;
  let store: FsBlobStore;

  beforeEach(async () => {
    dir = await makeTempDir('blobs');
    store = await FsBlobStore.open({ root: dir.path });
  });
  afterEach(() => dir.remove());

  it('stores bytes under their sha256 in a two-level fan-out and reads them back in chunks', async () => {
    const bytes = randomBytes(300_000);
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(await storeBytes(store, bytes)).toBe(digest);
    const file = path.join(dir.path, 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    expect((await stat(file)).mode & 0o777).toBe(0o444);
    const chunks = await collect(store.read(digest, { chunkBytes: 65_536 }));
    expect(chunks.length).toBe(5);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(await store.stat(digest)).toEqual({ sha256: digest, size: bytes.length });
    expect(await readdir(path.join(dir.path, 'tmp'))).toEqual([]);
  });

  it('keeps one copy of identical content and lists it once', async () => {
    const bytes = randomBytes(1000);
    const a = await storeBytes(store, bytes);
    const b = await storeBytes(store, bytes, 7);
    expect(a).toBe(b);
    const listed: string[] = [];
    for await (const digest of store.list()) listed.push(digest);
    expect(listed).toEqual([a]);
    expect(await readdir(path.join(dir.path, 'tmp'))).toEqual([]);
  });

  it('leaves nothing behind when a write is aborted', async () => {
    const writer = await store.createWriter();
    await writer.write(randomBytes(1000));
    expect(await readdir(path.join(dir.path, 'tmp'))).toHaveLength(1);
    await writer.abort();
    await writer.abort();
    expect(await readdir(path.join(dir.path, 'tmp'))).toEqual([]);
  });

  it('reports DATA_LOSS when stored bytes no longer match their digest, or are missing', async () => {
    const digest = await storeBytes(store, randomBytes(5000));
    const file = store.pathOf(digest);
    await chmod(file, 0o644);
    await writeFile(file, randomBytes(5000));
    const err = await collect(store.read(digest, { chunkBytes: 1024 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadstartError);
    expect((err as HeadstartError).code).toBe(Code.DATA_LOSS);
    expect(await store.delete(digest)).toBe(true);
    expect(await store.delete(digest)).toBe(false);
    const missing = await collect(store.read(digest, { chunkBytes: 1024 })).catch((e: unknown) => e);
    expect((missing as HeadstartError).code).toBe(Code.DATA_LOSS);
  });

  it('removes temporary files left by a crash', async () => {
    const writer = await store.createWriter();
    await writer.write(Buffer.from('half an upload'));
    await writeFile(path.join(dir.path, 'tmp', 'stray.part'), 'x');
    const reopened = await FsBlobStore.open({ root: dir.path });
    expect(await reopened.removeTemporaryFiles()).toBe(2);
    expect(await readdir(path.join(dir.path, 'tmp'))).toEqual([]);
    await writer.abort();
  });

  it('refuses paths that are not digests', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a sha256/);
  });
});
