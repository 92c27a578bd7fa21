import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir, type TempDir } from '@headstart/testing';
import {
  SECTION_ALIGNMENT,
  createShardsWriter,
  dtypeForVocab,
  openShards,
  openShardsFile,
  readShardsMeta,
  writeShards,
} from './index';

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDocuments(count: number, vocabSize: number, seed: number, maxLength = 40): number[][] {
  const next = rng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * maxLength) }, () => Math.floor(next() * vocabSize)),
  );
}

const flatten = (docs: number[][]): number[] => docs.flat();

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('shards');
});
afterEach(() => dir.remove());

describe('dtypeForVocab', () => {
  it('uses uint16 while every id fits 16 bits, uint32 beyond', () => {
    expect(dtypeForVocab(1)).toBe('uint16');
    expect(dtypeForVocab(65535)).toBe('uint16');
    expect(dtypeForVocab(65536)).toBe('uint16');
    expect(dtypeForVocab(65537)).toBe('uint32');
    expect(() => dtypeForVocab(0)).toThrow(RangeError);
  });
});

describe.each([
  ['uint16', 65536, 65535],
  ['uint32', 200_000, 199_999],
])('round trip with %s ids', (dtype, vocabSize, maxId) => {
  it('reads back every document of both splits, in place and on demand', async () => {
    const file = path.join(dir.path, 'shards.bin');
    const train = randomDocuments(300, vocabSize, 1);
    const validation = randomDocuments(17, vocabSize, 2);
    train[5] = [];
    train[6] = [maxId, 0, maxId];
    const meta = await writeShards(
      {
        path: file,
        vocabSize,
        tokenizerSha256: 'ab'.repeat(32),
        specialTokens: { '[PAD]': 0, '[CLS]': 2 },
        specialTokenRoles: { pad: 0, cls: 2 },
        source: { corpus: 'tiny:1' },
        bufferTokens: 64,
      },
      { train, validation },
    );
    expect(meta.dtype).toBe(dtype);
    expect(meta.specialTokenRoles).toEqual({ pad: 0, cls: 2 });
    expect(meta.splits.train).toEqual({ documents: 300, tokens: flatten(train).length });
    expect(meta.splits.validation).toEqual({ documents: 17, tokens: flatten(validation).length });
    for (const s of meta.sections) expect(s.offset % SECTION_ALIGNMENT).toBe(0);

    const shards = await openShards(file);
    expect(shards.meta).toEqual(meta);
    expect(await readShardsMeta(file)).toEqual(meta);
    expect(shards.train.tokens).toBeInstanceOf(dtype === 'uint16' ? Uint16Array : Uint32Array);
    expect(Array.from(shards.train.tokens)).toEqual(flatten(train));
    expect(Array.from(shards.validation.tokens)).toEqual(flatten(validation));
    expect(shards.train.documentCount).toBe(300);
    train.forEach((doc, i) => expect(Array.from(shards.train.document(i))).toEqual(doc));
    validation.forEach((doc, i) => expect(Array.from(shards.validation.document(i))).toEqual(doc));
    expect(shards.train.docStarts[300]).toBe(shards.train.tokenCount);

    const lazy = await openShardsFile(file);
    try {
      expect(lazy.meta).toEqual(meta);
      for (const i of [0, 5, 6, 150, 299]) {
        expect(Array.from(await lazy.readDocument('train', i))).toEqual(train[i]);
      }
      expect(Array.from(await lazy.readWindow('validation', 3, 10))).toEqual(
        flatten(validation).slice(3, 13),
      );
    } finally {
      await lazy.close();
    }
  });
});

describe('random access', () => {
  it('serves windows as views of one buffer and finds the document of any token', async () => {
    const file = path.join(dir.path, 'shards.bin');
    const train = randomDocuments(2000, 30522, 7, 80);
    train[10] = [];
    train[11] = [];
    train[12] = [5, 6];
    await writeShards({ path: file, vocabSize: 30522, tokenizerSha256: 'x' }, { train });
    const { train: split } = await openShards(file);
    const all = flatten(train);
    const next = rng(3);
    for (let k = 0; k < 500; k++) {
      const start = Math.floor(next() * (all.length - 64));
      const window = split.window(start, 64);
      // A view into the file's buffer: nothing is scanned or copied, whatever the offset.
      expect(window.buffer).toBe(split.tokens.buffer);
      expect(Array.from(window)).toEqual(all.slice(start, start + 64));
      const doc = split.documentAt(start);
      expect(split.docStarts[doc]!).toBeLessThanOrEqual(start);
      expect(split.docStarts[doc + 1]!).toBeGreaterThan(start);
    }
    // Empty documents own no token: the token at their start belongs to the next non-empty one.
    expect(split.documentAt(split.docStarts[10]!)).toBe(12);
    expect(() => split.window(all.length - 1, 2)).toThrow(RangeError);
    expect(() => split.document(2000)).toThrow(RangeError);
  });

  it('keeps an empty validation split valid', async () => {
    const file = path.join(dir.path, 'shards.bin');
    await writeShards({ path: file, vocabSize: 10, tokenizerSha256: 'x' }, { train: [[1, 2, 3]] });
    const shards = await openShards(file);
    expect(shards.validation.documentCount).toBe(0);
    expect(shards.validation.tokenCount).toBe(0);
    expect(Array.from(shards.validation.docStarts)).toEqual([0]);
  });
});

describe('writer safety', () => {
  it('refuses out-of-vocabulary ids without changing the split, and leaves no file after abort', async () => {
    const file = path.join(dir.path, 'shards.bin');
    const writer = await createShardsWriter({ path: file, vocabSize: 100, tokenizerSha256: 'x' });
    await writer.add('train', [1, 2]);
    await expect(writer.add('train', [3, 100])).rejects.toThrow(/outside the vocabulary/);
    await expect(writer.add('train', [1.5])).rejects.toThrow(RangeError);
    expect(writer.counts().train).toEqual({ documents: 1, tokens: 2 });
    await writer.abort();
    expect(await fs.readdir(dir.path)).toEqual([]);
  });

  it('writes the file only at finish, and cleans its scratch files', async () => {
    const file = path.join(dir.path, 'shards.bin');
    const writer = await createShardsWriter({ path: file, vocabSize: 100, tokenizerSha256: 'x' });
    await writer.add('validation', [4, 5, 6]);
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    await writer.finish();
    expect(await fs.readdir(dir.path)).toEqual(['shards.bin']);
    await expect(writer.add('train', [1])).rejects.toThrow(/done/);
  });
});

describe('corrupt files', () => {
  async function valid(): Promise<Buffer> {
    const file = path.join(dir.path, 'ok.bin');
    await writeShards({ path: file, vocabSize: 300, tokenizerSha256: 'x' }, { train: [[1, 2, 3], [299]] });
    return fs.readFile(file);
  }

  it('refuses a wrong magic, an unknown version, a truncated file and a bad section table', async () => {
    const bytes = await valid();
    const check = async (mutate: (b: Buffer) => Buffer, message: RegExp): Promise<void> => {
      const file = path.join(dir.path, 'bad.bin');
      await fs.writeFile(file, mutate(Buffer.from(bytes)));
      await expect(openShards(file)).rejects.toThrow(message);
    };
    await check((b) => (b.write('NOTSHARD', 0, 'latin1'), b), /magic/);
    await check((b) => (b.writeUInt32LE(2, 8), b), /version 2 is not supported/);
    await check((b) => b.subarray(0, b.length - 4), /truncated/);
    await check((b) => b.subarray(0, 10), /too short/);
    await check((b) => {
      const length = b.readUInt32LE(12);
      const header = b.toString('utf8', 16, 16 + length).replace('"tokens":4', '"tokens":5');
      b.write(header, 16, 'utf8');
      return b;
    }, /section table|truncated/);
    await check((b) => {
      // A token id beyond the vocabulary (the first train token, in the first aligned section).
      const meta = JSON.parse(b.toString('utf8', 16, 16 + b.readUInt32LE(12)));
      b.writeUInt16LE(300, meta.sections[0].offset);
      return b;
    }, /outside the vocabulary/);
  });
});
