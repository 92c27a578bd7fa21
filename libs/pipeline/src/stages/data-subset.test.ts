import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { makeTempDir, type TempDir } from '@headstart/testing';

import { subsetCorpus, subsetTask } from './data-subset';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('pipeline-subset');
});
afterEach(() => dir.remove());

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const read = async (file: string) =>
  (await fs.readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);

describe('subsetCorpus', () => {
  it('keeps the first documents of each split, in file order', async () => {
    const source = path.join(dir.path, 'corpus.jsonl');
    const rows = [
      { text: 'a', split: 'train' },
      { text: 'v1', split: 'validation' },
      { text: 'b', split: 'train' },
      { text: 'c', split: 'train' },
      { text: 'v2', split: 'validation' },
    ];
    await fs.writeFile(source, jsonl(rows));
    const target = path.join(dir.path, 'out', 'subset.jsonl');
    const counts = await subsetCorpus(source, target, { train: 2, validation: 1 });
    expect((await read(target)).map((r) => r.text)).toEqual(['a', 'v1', 'b']);
    expect(counts).toEqual({ train: { '': 2 }, validation: { '': 1 } });
  });
});

describe('subsetTask', () => {
  it('shares each split out evenly between the labels, first rows first', async () => {
    const source = path.join(dir.path, 'task.jsonl');
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => ({ text: `h${i}`, label: 'ham', split: 'train' })),
      ...Array.from({ length: 3 }, (_, i) => ({ text: `s${i}`, label: 'spam', split: 'train' })),
      { text: 'ht', label: 'ham', split: 'test' },
      { text: 'st', label: 'spam', split: 'test' },
      { text: 'hd', label: 'ham', split: 'dev' },
    ];
    await fs.writeFile(source, jsonl(rows));
    const target = path.join(dir.path, 'subset.jsonl');
    const counts = await subsetTask(source, target, { train: 5, test: 2 });
    expect((await read(target)).map((r) => r.text)).toEqual(['h0', 'h1', 'h2', 's0', 's1', 'ht', 'st']);
    expect(counts).toEqual({ train: { ham: 3, spam: 2 }, test: { ham: 1, spam: 1 } });
  });
});
