import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import {
  buildDictionaryDomainsTask,
  capPerClass,
  deduplicate,
  DICTIONARY_DOMAINS_FILE,
  domainCandidates,
} from './dictionary-domains';
import type { DictionaryDomainsRecord, DomainCandidate } from './dictionary-domains';
import { DICTIONARY_DOMAIN_LABELS } from './domain-marks';
import { parseDictd } from './gcide';
import { dictdDatabase, GCIDE_FIXTURE_ENTRIES, syntheticGcide } from './testdata/gcide-fixture';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('dictionary-domains');
});
afterEach(() => dir.remove());

describe('dictionary-domains selection', () => {
  it('takes definitions with exactly one class mark, the mark removed, at least 3 words', () => {
    const { dict, index } = dictdDatabase(GCIDE_FIXTURE_ENTRIES);
    const selection = domainCandidates(parseDictd(dict, index));
    expect(selection.candidates.map((c) => [c.id, c.label, c.text.slice(0, 30)])).toEqual([
      ['gcide/abalone/1', 'zoology', 'A univalve mollusk of the genu'],
      ['gcide/abdomen/1', 'anatomy', 'The belly, or that part of the'],
      ['gcide/abdomen/2', 'zoology', 'The posterior section of the b'],
      ['gcide/acajou/1', 'botany', 'The cashew tree; also, its fru'],
      ['gcide/bleak/1', 'zoology', 'A small European river fish (L'],
      ['gcide/gnat/1', 'zoology', 'A blood-sucking dipterous fly,'],
      ['gcide/gnat-catcher/1', 'zoology', 'one of several species of smal'],
      ['gcide/gnat-snapper/1', 'zoology', 'a bird that catches gnats.'],
    ]);
    expect(selection.compoundMark).toBe(1); // Bidentate (Bot. & Zool.)
  });

  it('drops senses marked with two classes and too-short definitions', () => {
    const entry = (text: string): { headword: string; text: string } => ({ headword: 'X', text });
    const selection = domainCandidates([
      entry('X \\X\\, n.\n   1. (Bot.) A plant; (Zool.) an animal.\n   2. (Chem.) A salt.\n'),
    ]);
    expect(selection).toMatchObject({ candidates: [], twoDomains: 1, short: 1 });
  });

  it('deduplicates exact and normalised copies, and drops definitions found under two classes', () => {
    const c = (id: string, text: string, label: DomainCandidate['label']): DomainCandidate => ({
      id,
      term: id,
      text,
      label,
    });
    const result = deduplicate([
      c('a', 'A small fish of the sea.', 'zoology'),
      c('b', 'A small fish of the sea.', 'zoology'),
      c('c', 'a small FISH, of the sea', 'zoology'),
      c('d', 'A kind of rope.', 'nautical'),
      c('e', 'a kind of rope', 'architecture'),
      c('f', 'A hard ore of iron.', 'mineralogy'),
    ]);
    expect(result.kept.map((k) => k.id)).toEqual(['a', 'f']);
    expect(result).toMatchObject({ exactDuplicates: 1, nearDuplicates: 1, conflictingLabels: 2 });
  });

  it('caps each class by a seeded choice that does not depend on input order', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      id: `gcide/x/${i}`,
      term: 'x',
      text: `text ${i}`,
      label: i % 3 === 0 ? ('law' as const) : ('music' as const),
    }));
    const capped = capPerClass(many, 5, 42);
    expect(capped.filter((c) => c.label === 'law')).toHaveLength(5);
    expect(capped.filter((c) => c.label === 'music')).toHaveLength(5);
    expect(
      capPerClass([...many].reverse(), 5, 42)
        .map((c) => c.id)
        .sort(),
    ).toEqual(capped.map((c) => c.id).sort());
    expect(capPerClass(many, 5, 43)).not.toEqual(capped);
  });
});

describe('buildDictionaryDomainsTask', () => {
  it('writes a balanced, split, byte-identical task', async () => {
    const entries = syntheticGcide(10);
    const a = await buildDictionaryDomainsTask({ outDir: path.join(dir.path, 'a'), seed: 7, entries });
    const b = await buildDictionaryDomainsTask({ outDir: path.join(dir.path, 'b'), seed: 7, entries });
    expect(b.sha256).toBe(a.sha256);
    const lines = (await fs.readFile(path.join(dir.path, 'a', DICTIONARY_DOMAINS_FILE), 'utf8'))
      .trimEnd()
      .split('\n');
    const records = lines.map((line) => JSON.parse(line) as DictionaryDomainsRecord);
    expect(Object.keys(records[0] ?? {})).toEqual(['id', 'text', 'label', 'split']);
    expect(records).toHaveLength(100);
    expect(a.stats.labels).toEqual(DICTIONARY_DOMAIN_LABELS);
    // 5000/500/1500 in proportion: 7/1/2 of each class's 10.
    for (const label of DICTIONARY_DOMAIN_LABELS) {
      expect([a.stats.splits.train[label], a.stats.splits.dev[label], a.stats.splits.test[label]]).toEqual([
        7, 1, 2,
      ]);
    }
    expect(
      records.every((r) => !/\((Zool|Bot|Chem|Med|Anat|Naut|Min|Mus|Arch)\.\)|\(Law\)/.test(r.text)),
    ).toBe(true);
    const capped = await buildDictionaryDomainsTask({ outDir: dir.path, seed: 7, entries, classCap: 4 });
    expect(capped.stats.examples).toBe(40);
    expect(capped.stats.available.zoology).toBe(10);
  });
});
