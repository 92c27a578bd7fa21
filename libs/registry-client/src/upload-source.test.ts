import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Code, HeadstartError } from '@headstart/errors';
import { makeTempDir } from '@headstart/testing';
import { collect } from './paging';
import { hashFile, prepareSource, rechunk } from './upload-source';

async function* pieces(...sizes: number[]): AsyncGenerator<Uint8Array> {
  let value = 0;
  for (const size of sizes) yield Uint8Array.from({ length: size }, () => value++ % 256);
}

describe('rechunk', () => {
  it('merges small and splits big chunks into messages of exactly chunkBytes', async () => {
    const out = await collect(rechunk(pieces(3, 3, 10, 1, 0, 2), 4));
    expect(out.map((c) => c.length)).toEqual([4, 4, 4, 4, 3]);
    expect(Buffer.concat(out)).toEqual(Buffer.concat(await collect(pieces(3, 3, 10, 1, 0, 2))));
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(rechunk(pieces(), 4))).toEqual([]);
  });
});

describe('prepareSource', () => {
  it('knows size and digest of a buffer', async () => {
    const data = Buffer.alloc(10, 7);
    const prepared = await prepareSource(data, 4, { prehashFile: true });
    expect(prepared.size).toBe(10);
    expect(prepared.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await collect(prepared.chunks)).map((c) => c.length)).toEqual([4, 4, 2]);
  });

  it('hashes a file first and streams it in chunks', async () => {
    await using dir = await makeTempDir('client-source');
    const file = path.join(dir.path, 'a.bin');
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    await fs.writeFile(file, data);
    const prepared = await prepareSource(file, 1024, { prehashFile: true });
    expect({ size: prepared.size, sha256: prepared.sha256 }).toEqual(await hashFile(file));
    expect(prepared.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(Buffer.concat(await collect(prepared.chunks))).toEqual(data);
  });

  it('reports a missing file as NOT_FOUND and a directory as INVALID_ARGUMENT', async () => {
    await using dir = await makeTempDir('client-source');
    await expect(prepareSource(path.join(dir.path, 'nope'), 4, { prehashFile: true })).rejects.toMatchObject({
      code: Code.NOT_FOUND,
    });
    const error = await prepareSource(dir.path, 4, { prehashFile: true }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HeadstartError);
    expect((error as HeadstartError).code).toBe(Code.INVALID_ARGUMENT);
  });

  it('streams a Readable without knowing its size', async () => {
    const prepared = await prepareSource(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), 5, {
      prehashFile: true,
    });
    expect(prepared.size).toBeUndefined();
    expect((await collect(prepared.chunks)).map((c) => c.toString())).toEqual(['abcde', 'fg']);
  });
});
