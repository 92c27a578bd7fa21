import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir, shippedDataDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { buildShippedDataWithReport } from './build-shipped-data';
import type { BuildReport } from './build-shipped-data';
import { runDataCli } from './cli';
import { DICTIONARY_DOMAINS_FILE } from './dictionary-domains';
import type { DictionaryDomainsRecord } from './dictionary-domains';
import { DICTIONARY_DOMAIN_LABELS } from './domain-marks';
import { GCIDE_DICT } from './gcide';
import { digestFile } from './jsonl-writer';
import { readManifest } from './manifest';
import { PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
import type { PretrainRecord } from './pretrain-corpus';
import { SPAM_ASSASSIN_FILE } from './spam-assassin';
import type { SpamAssassinRecord } from './spam-assassin';
import { WEB_MODULE_DIR } from './sword';
import { heldOutLeaks } from './testdata/held-out-leaks';

// The whole build from the npm and Debian packages: about 15 s of CPU on this kind of machine.
jest.setTimeout(240_000);

// The build needs dict-gcide and sword-text-web, which .ci/bootstrap.sh (run by `make test`) installs;
// without them the suite fails at once, naming the install step, rather than passing without a build.
const debianData = existsSync(GCIDE_DICT) && existsSync(`${WEB_MODULE_DIR}/ot.bzz`);

let dir: TempDir;
let report: BuildReport;
let summary: string;
let progress: string;
let corpus: PretrainRecord[];
let task: SpamAssassinRecord[];
let dictionary: DictionaryDomainsRecord[];

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await fs.readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

beforeAll(async () => {
  if (!debianData) {
    throw new Error('the shipped data needs Debian packages: apt-get install dict-gcide sword-text-web');
  }
  dir = await makeTempDir('datasets-full');
  // Through the command-line entry point, as the main job runs it.
  const out = { stdout: '', stderr: '' };
  const code = await runDataCli(['--out', dir.path], {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    defaultOutDir: '/nonexistent',
  });
  expect(code).toBe(0);
  summary = out.stdout;
  progress = out.stderr;
  const manifest = await readManifest(dir.path);
  if (!manifest) throw new Error('no manifest written');
  report = {
    manifest,
    rebuilt: [SPAM_ASSASSIN_FILE, DICTIONARY_DOMAINS_FILE, PRETRAIN_CORPUS_FILE],
    reused: [],
  };
  corpus = await readJsonl<PretrainRecord>(path.join(dir.path, PRETRAIN_CORPUS_FILE));
  task = await readJsonl<SpamAssassinRecord>(path.join(dir.path, SPAM_ASSASSIN_FILE));
  dictionary = await readJsonl<DictionaryDomainsRecord>(path.join(dir.path, DICTIONARY_DOMAINS_FILE));
});
afterAll(() => dir?.remove());

describe('the shipped data, built in full', () => {
  it('prints progress and a summary of what it built', () => {
    expect(progress).toContain('[spam-assassin] write: spam-assassin.jsonl');
    expect(summary).toMatch(/pretrain-corpus\.jsonl .* built/);
    expect(summary).toContain(`ham ${report.manifest.spamAssassin.classBalance.ham} / spam`);
  });

  it('has the English pre-training corpus of about 53 MB from all six sources', () => {
    const entry = report.manifest.files[PRETRAIN_CORPUS_FILE];
    expect(entry?.bytes).toBeGreaterThan(50e6);
    expect(entry?.bytes).toBeLessThan(56e6);
    const count = (source: string): number => corpus.filter((r) => r.source === source).length;
    expect(count('brown')).toBe(500);
    expect(count('moby-dick')).toBe(138);
    expect(count('sotu')).toBeGreaterThan(3000);
    expect(count('gutenberg')).toBeGreaterThan(3000);
    expect(count('web')).toBe(1389);
    expect(count('gcide')).toBeGreaterThan(5000);
    expect(corpus.some((r) => r.id.startsWith('gutenberg/melville'))).toBe(false);
    const validation = corpus.filter((r) => r.split === 'validation').length / corpus.length;
    expect(validation).toBeGreaterThan(0.03);
    expect(validation).toBeLessThan(0.08);
  });

  it('has the SpamAssassin task deduplicated, with both splits and the expected class balance', () => {
    const { spamAssassin } = report.manifest;
    expect(spamAssassin.rawEmails).toBe(6046);
    expect(task).toHaveLength(spamAssassin.examples);
    expect(new Set(task.map((r) => r.text)).size).toBe(task.length);
    expect(spamAssassin.classBalance.ham).toBeGreaterThan(3900);
    expect(spamAssassin.classBalance.spam).toBeGreaterThan(1600);
    expect(task.every((r) => r.text.length <= spamAssassin.lengthCap && r.text.startsWith('Subject: '))).toBe(
      true,
    );
    expect(
      task.filter((r) => r.time_split === 'test').every((r) => /^(easy-ham|spam)-2$/.test(r.group)),
    ).toBe(true);
    expect(task.filter((r) => r.time_split !== 'test').every((r) => r.group.endsWith('-1'))).toBe(true);
  });

  it('holds a Bible book out of training in both translations or in neither', () => {
    const splitOfBook = new Map<string, Set<string>>();
    for (const r of corpus) {
      const book = /^(?:web|gutenberg\/bible-kjv)\/([^/]+)\//.exec(r.id)?.[1];
      if (book) splitOfBook.set(book, (splitOfBook.get(book) ?? new Set()).add(r.split));
    }
    expect(splitOfBook.size).toBeGreaterThan(66);
    for (const splits of splitOfBook.values()) expect(splits.size).toBe(1);
  });

  it('has the dictionary-domains task: 10 classes of 700, split 5000/500/1500, marks removed', () => {
    const { dictionaryDomains } = report.manifest;
    expect(dictionary).toHaveLength(7000);
    expect(dictionaryDomains.labels).toEqual(DICTIONARY_DOMAIN_LABELS);
    for (const label of DICTIONARY_DOMAIN_LABELS) {
      expect(dictionary.filter((r) => r.label === label)).toHaveLength(700);
    }
    expect(report.manifest.files[DICTIONARY_DOMAINS_FILE]?.splits).toEqual({
      train: 5000,
      dev: 500,
      test: 1500,
    });
    expect(new Set(dictionary.map((r) => r.text.toLowerCase())).size).toBe(dictionary.length);
    expect(dictionary.every((r) => r.text.split(' ').length >= 3)).toBe(true);
    expect(
      dictionary.some((r) => /\((Zool|Zoöl|Bot|Chem|Med|Anat|Naut|Min|Mus|Arch)\.\)|\(Law\)/.test(r.text)),
    ).toBe(false);
    expect(dictionaryDomains.medianWords).toBeGreaterThan(10);
  });

  it('puts no dictionary-domains dev or test definition in the pre-training corpus, exact or near', () => {
    const heldOut = dictionary.filter((r) => r.split !== 'train').map((r) => r.text);
    expect(heldOut).toHaveLength(2000);
    expect(heldOutLeaks(heldOut, corpus)).toEqual({ exact: [], near: [] });
  });

  it('puts no task text in the pre-training corpus (exact 80-character passages)', () => {
    // Independent of the n-gram decontamination: look for verbatim passages of task bodies, each starting
    // at a word, and check the corpus at every word start.
    const passages = new Set<string>();
    for (const r of task) {
      const body = r.text.slice(r.text.indexOf('\n') + 1);
      if (body.length < 240) continue;
      for (const at of [
        0,
        body.indexOf(' ', body.length / 2) + 1,
        body.indexOf(' ', body.length - 120) + 1,
      ]) {
        passages.add(body.slice(at, at + 80));
      }
    }
    const keys = new Set([...passages].map((p) => p.slice(0, 24)));
    const hits: string[] = [];
    for (const doc of corpus) {
      const text = doc.text.replace(/\s+/g, ' ');
      for (let i = 0; i + 80 <= text.length; i = text.indexOf(' ', i) + 1 || text.length) {
        if (keys.has(text.slice(i, i + 24)) && passages.has(text.slice(i, i + 80))) hits.push(doc.id);
      }
    }
    expect(passages.size).toBeGreaterThan(5000);
    expect(hits).toEqual([]);
  });

  it('builds byte-identical files in another build of the same code', async () => {
    // The other build: the test run's shared copy (tests/jest-global-setup.js), made by the compiled
    // library in another process, maybe on another day. Its manifest differs only in the builder's code
    // digest (of dist/*.js there, of src/*.ts here).
    const other = shippedDataDir();
    for (const file of [PRETRAIN_CORPUS_FILE, SPAM_ASSASSIN_FILE, DICTIONARY_DOMAINS_FILE]) {
      expect(await digestFile(path.join(other, file))).toEqual(await digestFile(path.join(dir.path, file)));
    }
    const theirs = await readManifest(other);
    if (!theirs) throw new Error(`no manifest in ${other}`);
    const ours = report.manifest;
    const asOurs = JSON.stringify(theirs).replaceAll(theirs.builder.codeDigest, ours.builder.codeDigest);
    expect(JSON.parse(asOurs)).toEqual(JSON.parse(JSON.stringify(ours)));
  });

  it('reuses every file on a second run, only verifying digests', async () => {
    const before = await digestFile(path.join(dir.path, SPAM_ASSASSIN_FILE));
    const again = await buildShippedDataWithReport({ outDir: dir.path });
    expect(again.rebuilt).toEqual([]);
    expect(again.manifest).toEqual(report.manifest);
    expect(await digestFile(path.join(dir.path, SPAM_ASSASSIN_FILE))).toEqual(before);
  });
});
