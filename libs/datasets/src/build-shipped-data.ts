import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { currentBuilder } from './builder-identity';
import { buildDictionaryDomainsTask, DEFAULT_CLASS_CAP, DICTIONARY_DOMAINS_FILE } from './dictionary-domains';
import type { DictionaryDomainsStats } from './dictionary-domains';
import { readGcide } from './gcide';
import type { GcideEntry } from './gcide';
import { writeFileAtomic } from './jsonl-writer';
import { fileMatches, MANIFEST_FILE, MANIFEST_FORMAT, readManifest, serializeManifest } from './manifest';
import type { Manifest, ManifestFile } from './manifest';
import {
  buildPretrainCorpus,
  DEFAULT_VALIDATION_FRACTION,
  loadPretrainSources,
  PRETRAIN_CORPUS_FILE,
} from './pretrain-corpus';
import type { PretrainCorpusStats, PretrainSources } from './pretrain-corpus';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import { allSourceInfo, loadSpamAssassin } from './sources';
import type { RawEmail } from './sources';
import { buildSpamAssassinTask, SPAM_ASSASSIN_FILE } from './spam-assassin';
import { DEFAULT_LENGTH_CAP } from './spam-text';
import type { SpamAssassinStats } from './spam-assassin';

export const DEFAULT_SEED = 42;

export interface BuildShippedDataOptions {
  /** Where the files go (created if missing). */
  outDir: string;
  /** Seed of every split. Default 42. */
  seed?: number;
  /** Rebuild even files that match the manifest. Default false. */
  force?: boolean;
  /** SpamAssassin text cap in characters. Default 2000. */
  lengthCap?: number;
  /** Share of pre-training units held out for validation. Default 0.05. */
  validationFraction?: number;
  /** Source overrides, for tests on subsets: only the sources listed are used. Default: the packages. */
  sources?: PretrainSources & { emails?: RawEmail[] };
  onProgress?: ProgressListener;
  logger?: DatasetsLogger;
}

/** What buildShippedData did, beside the manifest it wrote. */
export interface BuildReport {
  readonly manifest: Manifest;
  readonly rebuilt: readonly string[];
  readonly reused: readonly string[];
}

/**
 * A built (or reused) file: its manifest entry, its statistics, and the texts the corpus must not
 * contain (all SpamAssassin texts; the dictionary task's dev and test definitions).
 */
interface Step<S> {
  readonly file: ManifestFile;
  readonly stats: S;
  readonly texts: () => Promise<string[]>;
}

/**
 * Builds Headstart's shipped data into `outDir`: spam-assassin.jsonl, dictionary-domains.jsonl,
 * pretrain-corpus.jsonl (kept clean of both tasks' held-out text) and manifest.json. Deterministic: the
 * same code, sources and seed give byte-identical files. A file already on disk with the digest the
 * manifest recorded, built from the same inputs by the same code, is reused, so a second run only
 * verifies digests.
 */
export async function buildShippedData(options: BuildShippedDataOptions): Promise<Manifest> {
  return (await buildShippedDataWithReport(options)).manifest;
}

export async function buildShippedDataWithReport(options: BuildShippedDataOptions): Promise<BuildReport> {
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? DEFAULT_SEED;
  const outDir = path.resolve(options.outDir);
  const builder = await currentBuilder();
  const sources = await allSourceInfo();
  const common = {
    builder,
    seed,
    sources: sources.map((s) => `${s.package}@${s.version}`),
    subset: options.sources !== undefined,
  };
  const spamInputs = { ...common, lengthCap: options.lengthCap ?? DEFAULT_LENGTH_CAP };
  const dictionaryInputs = { ...common, classCap: DEFAULT_CLASS_CAP };
  const pretrainInputs = {
    ...common,
    validationFraction: options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    spamInputs,
    dictionaryInputs,
  };

  const previous = options.force ? undefined : await readManifest(outDir);
  const rebuilt: string[] = [];
  const reused: string[] = [];
  // Reuses `file` when the manifest has it with the same inputs and it is on disk unchanged; else builds.
  // `keep` picks the records whose texts a later step protects (from the file, when it is reused).
  const step = async <S>(
    file: string,
    inputs: object,
    previousStats: (m: Manifest) => S,
    build: () => Promise<Step<S>>,
    keep?: (record: { split?: string }) => boolean,
  ): Promise<Step<S>> => {
    const entry = previous?.files[file];
    if (previous && entry && sameJson(entry.inputs, inputs) && (await fileMatches(outDir, file, entry))) {
      reused.push(file);
      const target = file.replace(/\.jsonl$/, '');
      options.onProgress?.({ target, phase: 'skip', message: 'digest matches the manifest' });
      return {
        file: entry,
        stats: previousStats(previous),
        texts: () => readTexts(path.join(outDir, file), keep),
      };
    }
    rebuilt.push(file);
    return build();
  };
  let gcide: Promise<readonly GcideEntry[]> | undefined;
  const gcideEntries = (): Promise<readonly GcideEntry[]> =>
    (gcide ??= options.sources ? Promise.resolve(options.sources.gcide ?? []) : readGcide());

  const spam = await step<SpamAssassinStats>(
    SPAM_ASSASSIN_FILE,
    spamInputs,
    (m) => m.spamAssassin,
    async () => {
      const result = await buildSpamAssassinTask({
        outDir,
        seed,
        emails: options.sources?.emails ?? loadSpamAssassin(),
        lengthCap: spamInputs.lengthCap,
        logger,
        onProgress: options.onProgress,
      });
      const description =
        'SpamAssassin spam/ham: {id, text, label, group, split, time_split}; text is "Subject: <subject>\\n<body>", ' +
        'other headers dropped, HTML stripped, whitespace collapsed, capped; split = seeded 70/10/20 stratified by ' +
        'group; time_split = train/dev from easy-ham-1, hard-ham-1, spam-1 and test from easy-ham-2, spam-2.';
      const file = fileEntry(
        result,
        result.stats.examples,
        countSplits(result.stats.splits),
        spamInputs,
        description,
      );
      return { file, stats: result.stats, texts: () => Promise.resolve(result.texts) };
    },
  );

  const dictionary = await step<DictionaryDomainsStats>(
    DICTIONARY_DOMAINS_FILE,
    dictionaryInputs,
    (m) => m.dictionaryDomains,
    async () => {
      const result = await buildDictionaryDomainsTask({
        outDir,
        seed,
        entries: await gcideEntries(),
        classCap: dictionaryInputs.classCap,
        logger,
        onProgress: options.onProgress,
      });
      const description =
        'GCIDE definition -> subject domain: {id, text, label, split}; definitions carrying exactly one of ten ' +
        'subject marks (Zool., Bot., Chem., Med., Anat., Law, Naut., Min., Mus., Arch.), the mark removed; ' +
        'deduplicated, at least 3 words, at most 700 per class (seeded); split = seeded 5000/500/1500 stratified by label.';
      const file = fileEntry(
        result,
        result.stats.examples,
        countSplits(result.stats.splits),
        dictionaryInputs,
        description,
      );
      const heldOut = result.records.filter((r) => r.split !== 'train').map((r) => r.text);
      return { file, stats: result.stats, texts: () => Promise.resolve(heldOut) };
    },
    (record) => record.split !== 'train',
  );

  const corpus = await step<PretrainCorpusStats>(
    PRETRAIN_CORPUS_FILE,
    pretrainInputs,
    (m) => m.pretrainCorpus,
    async () => {
      const result = await buildPretrainCorpus({
        outDir,
        seed,
        validationFraction: pretrainInputs.validationFraction,
        exclude: await spam.texts(),
        excludeDefinitions: await dictionary.texts(),
        sources: options.sources ?? (await loadPretrainSources(await gcideEntries())),
        logger,
        onProgress: options.onProgress,
      });
      const description =
        'English pre-training corpus: {id, source, split, text}; split is train or validation, drawn by whole ' +
        'speech / chapter / Brown file / Bible book / 10-document section, seeded, stratified by source, Brown ' +
        'genre and Gutenberg book; no dictionary-domains dev/test definition (exact or sharing a word 8-gram).';
      const file = fileEntry(
        result,
        result.stats.documents,
        result.stats.splits,
        pretrainInputs,
        description,
      );
      return { file, stats: result.stats, texts: () => Promise.resolve([]) };
    },
  );

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    builder,
    seed,
    sources,
    files: {
      [PRETRAIN_CORPUS_FILE]: corpus.file,
      [SPAM_ASSASSIN_FILE]: spam.file,
      [DICTIONARY_DOMAINS_FILE]: dictionary.file,
    },
    pretrainCorpus: corpus.stats,
    spamAssassin: spam.stats,
    dictionaryDomains: dictionary.stats,
  };
  await writeFileAtomic(outDir, MANIFEST_FILE, serializeManifest(manifest));
  options.onProgress?.({ target: 'manifest', phase: 'done', message: MANIFEST_FILE });
  logger.info({ outDir, rebuilt, reused }, 'shipped data ready');
  return { manifest, rebuilt, reused };
}

function fileEntry(
  written: { sha256: string; bytes: number },
  documents: number,
  splits: Record<string, number>,
  inputs: Readonly<Record<string, unknown>>,
  description: string,
): ManifestFile {
  return { sha256: written.sha256, bytes: written.bytes, documents, splits, inputs, description };
}

function countSplits(splits: Record<string, Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(splits).map(([name, byLabel]) => [
      name,
      Object.values(byLabel).reduce((a, b) => a + b, 0),
    ]),
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function readTexts(
  file: string,
  keep: (record: { split?: string }) => boolean = () => true,
): Promise<string[]> {
  const texts: string[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const record = JSON.parse(line) as { text: string; split?: string };
    if (keep(record)) texts.push(record.text);
  }
  return texts;
}
