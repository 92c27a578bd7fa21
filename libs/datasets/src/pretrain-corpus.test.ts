import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import {
  buildPretrainCorpus,
  brownDocuments,
  mobyDickDocuments,
  PRETRAIN_CORPUS_FILE,
  sotuDocuments,
} from './pretrain-corpus';
import type { PretrainRecord } from './pretrain-corpus';
import { loadBrown, loadMobyDick, loadSotu } from './sources';
import type { BrownFile, MobyDickChapter, SotuSpeech } from './sources';

let dir: TempDir;
let sotu: SotuSpeech[];
let mobyDick: MobyDickChapter[];
let brown: BrownFile[];

beforeAll(async () => {
  // Small real subsets: loading SOTU takes about a second, Moby Dick and Brown less.
  sotu = loadSotu().filter((s) => s.year >= 2015);
  mobyDick = loadMobyDick().slice(0, 12);
  brown = (await loadBrown()).filter((f) => /^c[ak]0[1-6]$/.test(f.file));
});
beforeEach(async () => {
  dir = await makeTempDir('datasets-pretrain');
});
afterEach(() => dir.remove());

async function readRecords(outDir: string): Promise<PretrainRecord[]> {
  const text = await fs.readFile(path.join(outDir, PRETRAIN_CORPUS_FILE), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as PretrainRecord);
}

describe('pre-training documents', () => {
  it('cuts SOTU speeches into sentence groups of a few KB that rebuild the speech', () => {
    const docs = sotuDocuments(sotu);
    const first = sotu.find((s) => s.year === 2015);
    const ofFirst = docs.filter((d) => d.unit === docs[0]?.unit);
    expect(docs[0]?.id).toMatch(/^sotu\/2015-barack-obama\/001$/);
    expect(ofFirst.map((d) => d.text).join(' ')).toBe(first?.text.replace(/\s+/g, ' ').trim());
    for (const doc of docs) expect(doc.text.length).toBeGreaterThanOrEqual(1000);
    const lengths = docs.map((d) => d.text.length).sort((a, b) => a - b);
    expect(lengths[Math.floor(lengths.length / 2)]).toBeGreaterThan(2500);
    expect(lengths[Math.floor(lengths.length / 2)]).toBeLessThan(4500);
  });

  it('makes one document per Moby Dick chapter, headed by its title, without the table of contents', () => {
    const docs = mobyDickDocuments(mobyDick);
    expect(docs.map((d) => d.id).slice(0, 4)).toEqual([
      'moby-dick/etymology',
      'moby-dick/extracts',
      'moby-dick/chapter-001',
      'moby-dick/chapter-002',
    ]);
    expect(docs[2]?.text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
  });

  it('makes one readable document per Brown file, stratified by genre', () => {
    const docs = brownDocuments(brown);
    expect(docs).toHaveLength(12);
    expect(docs[0]?.stratum).toBe('brown/a');
    expect(docs[0]?.text.startsWith('The Fulton County Grand Jury said Friday an investigation of')).toBe(
      true,
    );
    for (const doc of docs) {
      expect(doc.text).not.toMatch(/\/[a-z$*+-]+(\s|$)/); // no `/tag` left
      expect(doc.text).not.toMatch(/``|''| [,.;:?!](\s|$)/);
      expect(doc.text).toContain('\n\n');
    }
  });
});

describe('buildPretrainCorpus', () => {
  it('writes every document once, splitting by whole speech, chapter or file', async () => {
    const { stats } = await buildPretrainCorpus({
      outDir: dir.path,
      seed: 3,
      validationFraction: 0.25,
      sources: { sotu, mobyDick, brown },
    });
    const records = await readRecords(dir.path);
    expect(records).toHaveLength(stats.documents);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(Object.keys(records[0] ?? {})).toEqual(['id', 'source', 'split', 'text']);
    const unitOf = (id: string): string => (id.startsWith('sotu/') ? id.slice(0, id.lastIndexOf('/')) : id);
    const splitsOfUnit = new Map<string, Set<string>>();
    for (const r of records) {
      const set = splitsOfUnit.get(unitOf(r.id)) ?? new Set<string>();
      set.add(r.split);
      splitsOfUnit.set(unitOf(r.id), set);
    }
    for (const splits of splitsOfUnit.values()) expect(splits.size).toBe(1);
    for (const source of ['sotu', 'moby-dick', 'brown']) {
      const validation = records.filter((r) => r.source === source && r.split === 'validation');
      expect(validation.length).toBeGreaterThan(0);
    }
    expect(stats.splits.train + stats.splits.validation).toBe(records.length);
  });

  it('drops documents that share a 13-word passage with an excluded text', async () => {
    const chapter1 = mobyDickDocuments(mobyDick).find((d) => d.id === 'moby-dick/chapter-001');
    const passage = chapter1?.text.split(/\s+/).slice(40, 60).join(' ') ?? '';
    const { stats } = await buildPretrainCorpus({
      outDir: dir.path,
      seed: 3,
      exclude: [`FREE OFFER!!! ${passage.toUpperCase()} click here`, 'unrelated text'],
      sources: { sotu, mobyDick, brown },
    });
    expect(stats.decontamination).toEqual({
      ngram: 13,
      protectedTexts: 2,
      droppedDocuments: ['moby-dick/chapter-001'],
    });
    expect((await readRecords(dir.path)).map((r) => r.id)).not.toContain('moby-dick/chapter-001');
  });

  it('is byte-identical across runs', async () => {
    const options = { seed: 9, sources: { sotu, mobyDick, brown } };
    const a = await buildPretrainCorpus({ ...options, outDir: path.join(dir.path, 'a') });
    const b = await buildPretrainCorpus({ ...options, outDir: path.join(dir.path, 'b') });
    expect(b.sha256).toBe(a.sha256);
  });
});
