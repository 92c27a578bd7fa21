import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir, type TempDir } from '@headstart/testing';
import { CorpusBuilder } from './corpus-builder';
import { readCorpus } from './corpus-file';
import type { ParsedDocument } from './parse-documents';
import { chooseValidation, splitKey, validationCount } from './split';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('corpus-builder');
});
afterEach(() => dir.remove());

let subdir = 0;
async function build(texts: Array<string | ParsedDocument>, seed = 0, validationFraction = 0.25) {
  const work = path.join(dir.path, String(subdir++));
  await fs.mkdir(work);
  const builder = await CorpusBuilder.create({ dir: work, seed, validationFraction });
  for (const [i, t] of texts.entries()) {
    await builder.add(typeof t === 'string' ? { text: t, line: i + 1, bytesRead: 0 } : t);
  }
  const built = await builder.finish();
  const docs = [];
  for await (const doc of readCorpus(built.file)) docs.push({ text: doc.text, split: doc.split });
  return { built, docs };
}

const corpus = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `document number ${i} with some words`);

describe('CorpusBuilder', () => {
  it('drops exact duplicates and empty documents, counting both, and keeps the first occurrence in order', async () => {
    const { built, docs } = await build(['a', 'b', 'a', '  ', 'c\nd', 'b', 'A', '', 'c\nd ']);
    expect(docs.map((d) => d.text)).toEqual(['a', 'b', 'c\nd', 'A', 'c\nd ']);
    expect(built.counts).toMatchObject({ documents: 5, duplicatesDropped: 2, emptyDropped: 2 });
    expect(built.counts.bytes).toBe(1 + 1 + 3 + 1 + 4);
  });

  it('writes the documented JSONL format, with the size and sha256 of the file', async () => {
    const { built } = await build(['héllo "world"', 'tab\there\nnewline', 'emoji 😀']);
    const bytes = await fs.readFile(built.file);
    expect(built.size).toBe(bytes.length);
    expect(built.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { text: string; split: string });
    expect(records.map((r) => Object.keys(r))).toEqual([
      ['text', 'split'],
      ['text', 'split'],
      ['text', 'split'],
    ]);
    expect(records.map((r) => r.text)).toEqual(['héllo "world"', 'tab\there\nnewline', 'emoji 😀']);
    // round(3 * 0.25) = 1 validation document.
    expect(records.map((r) => r.split).sort()).toEqual(['train', 'train', 'validation']);
    expect(built.counts.trainBytes + built.counts.validationBytes).toBe(built.counts.bytes);
  });

  it('splits exactly round(n * fraction) documents, the same ones for the same seed', async () => {
    const texts = corpus(200);
    const a = await build(texts, 42, 0.1);
    const b = await build(texts, 42, 0.1);
    const c = await build(texts, 43, 0.1);
    const validation = (r: typeof a) => r.docs.filter((d) => d.split === 'validation').map((d) => d.text);
    expect(validation(a)).toHaveLength(20);
    expect(a.built.counts).toMatchObject({ trainDocuments: 180, validationDocuments: 20 });
    expect(validation(b)).toEqual(validation(a));
    expect(a.built.sha256).toBe(b.built.sha256);
    expect(validation(c)).not.toEqual(validation(a));
    // Membership follows the documents, not their positions: reordering keeps the same validation set.
    const reversed = await build([...texts].reverse(), 42, 0.1);
    expect(validation(reversed).sort()).toEqual(validation(a).sort());
  });

  it('honours splits carried by the documents', async () => {
    const { docs, built } = await build([
      { text: 'x', line: 1, split: 'validation', bytesRead: 0 },
      { text: 'y', line: 2, split: 'train', bytesRead: 0 },
      { text: 'x', line: 3, split: 'train', bytesRead: 0 },
    ]);
    expect(docs).toEqual([
      { text: 'x', split: 'validation' },
      { text: 'y', split: 'train' },
    ]);
    expect(built.counts.duplicatesDropped).toBe(1);
  });

  it('reads back one split only', async () => {
    const { built } = await build(corpus(40), 1, 0.25);
    const train = [];
    for await (const doc of readCorpus(built.file, { split: 'train' })) train.push(doc);
    expect(train).toHaveLength(30);
    expect(train.every((d) => d.split === 'train')).toBe(true);
    expect(train[train.length - 1]!.bytesRead).toBeLessThanOrEqual(built.size);
  });
});

describe('split helpers', () => {
  it('keeps at least one document on each side when the fraction is above zero', () => {
    expect(validationCount(1, 0.5)).toBe(0);
    expect(validationCount(2, 0.01)).toBe(1);
    expect(validationCount(3, 0.99)).toBe(2);
    expect(validationCount(1000, 0.05)).toBe(50);
    expect(validationCount(1000, 0)).toBe(0);
  });

  it('chooses the documents with the smallest keys, ties by position', () => {
    expect(Array.from(chooseValidation([5, 1, 3, 1], 2))).toEqual([0, 1, 0, 1]);
    expect(Array.from(chooseValidation([5, 1], 0))).toEqual([0, 0]);
  });

  it('derives keys from the seed and the digest only', () => {
    const digest = createHash('sha256').update('doc').digest();
    expect(splitKey(7, digest)).toBe(splitKey(7, digest));
    expect(splitKey(7, digest)).not.toBe(splitKey(8, digest));
    expect(splitKey(7, digest)).toBeLessThan(2 ** 48);
  });
});
