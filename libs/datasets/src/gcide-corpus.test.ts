import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { buildDictionaryDomainsTask } from './dictionary-domains';
import { DefinitionFilter, gcideDocuments } from './gcide-corpus';
import { buildPretrainCorpus, PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
import type { PretrainRecord } from './pretrain-corpus';
import { syntheticGcide } from './testdata/gcide-fixture';
import { heldOutLeaks } from './testdata/held-out-leaks';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('gcide-corpus');
});
afterEach(() => dir.remove());

describe('GCIDE in the pre-training corpus', () => {
  it('writes every definition as "term: definition" without the subject marks', () => {
    const { documents, definitions } = gcideDocuments(syntheticGcide(3), new DefinitionFilter([]));
    expect(definitions).toBe(30);
    const lines = documents.flatMap((d) => d.text.split('\n'));
    expect(lines[0]).toBe(
      'Term0x0: A small fish of the small kind number 0, found in the small lands of region 0.',
    );
    expect(lines.some((line) => /\((Zool|Bot)\.\)/.test(line))).toBe(false);
    expect(documents[0]?.unit).toBe('gcide/section-0001');
  });

  it('keeps the dictionary task dev and test definitions out, exact and near copies, in every source', async () => {
    const entries = syntheticGcide(10);
    const task = await buildDictionaryDomainsTask({ outDir: dir.path, seed: 5, entries });
    const heldOut = task.records.filter((r) => r.split !== 'train').map((r) => r.text);
    const train = task.records.filter((r) => r.split === 'train').map((r) => r.text);
    const [first, second] = heldOut;
    // A near copy under another headword, and a novel quoting a test definition in a sentence.
    const copy = { headword: 'Copy', text: `Copy \\Copy\\, n.\n   ${first} Also a rare thing.\n` };
    const novel = {
      name: 'a-novel',
      text: `CHAPTER I\n\nShe read aloud: "${second}" and closed the book.\n\n${'Nothing to see here. '.repeat(80)}`,
    };
    const other = { name: 'b-novel', text: 'It was a bright cold day in April. '.repeat(100) };

    const { stats } = await buildPretrainCorpus({
      outDir: dir.path,
      seed: 5,
      excludeDefinitions: heldOut,
      sources: { gcide: [...entries, copy], gutenberg: [novel, other] },
    });
    const records = (await fs.readFile(path.join(dir.path, PRETRAIN_CORPUS_FILE), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as PretrainRecord);

    expect(heldOutLeaks(heldOut, records)).toEqual({ exact: [], near: [] });
    expect(stats.definitionDecontamination).toEqual({
      ngram: 8,
      protectedTexts: 30,
      excludedDefinitions: { exact: 30, near: 1 },
      droppedDocuments: ['gutenberg/a-novel/001'],
    });
    // Training definitions stay in: the corpus may hold the task's unlabelled train text.
    const corpusText = records.map((r) => r.text).join('\n');
    expect(train.every((t) => corpusText.includes(t))).toBe(true);
    expect(records.map((r) => r.source)).toContain('gutenberg');
    // The check itself sees a leak when there is one.
    expect(heldOutLeaks(heldOut, [{ id: 'leak', text: `Term: ${first}` }])).toEqual({
      exact: ['leak'],
      near: ['leak'],
    });
  });
});
