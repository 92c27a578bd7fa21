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
  const seed = options.seed ?? DEFAULT_SEED;
  const builder = await currentBuilder();
  const sources = await allSourceInfo();
  const inputs = stepInputs(options, builder, seed, sources);
  const build = await startBuild(options, seed);
  const spam = await spamAssassinStep(build, inputs.spam);
  const dictionary = await dictionaryDomainsStep(build, inputs.dictionary);
  const corpus = await pretrainCorpusStep(build, inputs.pretrain, spam, dictionary);
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
  await writeFileAtomic(build.outDir, MANIFEST_FILE, serializeManifest(manifest));
  options.onProgress?.({ target: 'manifest', phase: 'done', message: MANIFEST_FILE });
  const { rebuilt, reused } = build;
  build.logger.info({ outDir: build.outDir, rebuilt, reused }, 'shipped data ready');
  return { manifest, rebuilt, reused };
}

/** What the steps of one build share. */
interface Build {
  options: BuildShippedDataOptions;
  logger: DatasetsLogger;
  seed: number;
  outDir: string;
  /** The manifest on disk, unless the build is forced. */
  previous: Manifest | undefined;
  rebuilt: string[];
  reused: string[];
  /** GCIDE's entries, read once for both the dictionary task and the corpus. */
  gcideEntries(): Promise<readonly GcideEntry[]>;
}

async function startBuild(options: BuildShippedDataOptions, seed: number): Promise<Build> {
  const outDir = path.resolve(options.outDir);
  let gcide: Promise<readonly GcideEntry[]> | undefined;
  return {
    options,
    logger: options.logger ?? silentLogger,
    seed,
    outDir,
    previous: options.force ? undefined : await readManifest(outDir),
    rebuilt: [],
    reused: [],
    gcideEntries: () =>
      (gcide ??= options.sources ? Promise.resolve(options.sources.gcide ?? []) : readGcide()),
  };
}

/**
 * What each file is built from, as the manifest records it: a file is reused only when these are the
 * same (compared as JSON, so the key order here is part of the manifest format). The corpus depends on
 * both tasks' inputs, since it excludes their held-out texts.
 */
function stepInputs(
  options: BuildShippedDataOptions,
  builder: Manifest['builder'],
  seed: number,
  sources: Manifest['sources'],
) {
  const common = {
    builder,
    seed,
    sources: sources.map((s) => `${s.package}@${s.version}`),
    subset: options.sources !== undefined,
  };
  const spam = { ...common, lengthCap: options.lengthCap ?? DEFAULT_LENGTH_CAP };
  const dictionary = { ...common, classCap: DEFAULT_CLASS_CAP };
  const pretrain = {
    ...common,
    validationFraction: options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    spamInputs: spam,
    dictionaryInputs: dictionary,
  };
  return { spam, dictionary, pretrain };
}

/**
 * Reuses `file` when the manifest has it with the same inputs and it is on disk unchanged; else builds.
 * `keep` picks the records whose texts a later step protects (from the file, when it is reused).
 */
async function reuseOrBuild<S>(
  build: Build,
  file: string,
  inputs: object,
  previousStats: (m: Manifest) => S,
  make: () => Promise<Step<S>>,
  keep?: (record: { split?: string }) => boolean,
): Promise<Step<S>> {
  const { previous, outDir } = build;
  const entry = previous?.files[file];
  if (previous && entry && sameJson(entry.inputs, inputs) && (await fileMatches(outDir, file, entry))) {
    build.reused.push(file);
    const target = file.replace(/\.jsonl$/, '');
    build.options.onProgress?.({ target, phase: 'skip', message: 'digest matches the manifest' });
    return {
      file: entry,
      stats: previousStats(previous),
      texts: () => readTexts(path.join(outDir, file), keep),
    };
  }
  build.rebuilt.push(file);
  return make();
}

function spamAssassinStep(
  build: Build,
  inputs: ReturnType<typeof stepInputs>['spam'],
): Promise<Step<SpamAssassinStats>> {
  const { options, outDir, seed, logger } = build;
  return reuseOrBuild(
    build,
    SPAM_ASSASSIN_FILE,
    inputs,
    (m) => m.spamAssassin,
    async () => {
      const result = await buildSpamAssassinTask({
        outDir,
        seed,
        emails: options.sources?.emails ?? loadSpamAssassin(),
        lengthCap: inputs.lengthCap,
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
        inputs,
        description,
      );
      return { file, stats: result.stats, texts: () => Promise.resolve(result.texts) };
    },
  );
}

function dictionaryDomainsStep(
  build: Build,
  inputs: ReturnType<typeof stepInputs>['dictionary'],
): Promise<Step<DictionaryDomainsStats>> {
  const { options, outDir, seed, logger } = build;
  return reuseOrBuild(
    build,
    DICTIONARY_DOMAINS_FILE,
    inputs,
    (m) => m.dictionaryDomains,
    async () => {
      const result = await buildDictionaryDomainsTask({
        outDir,
        seed,
        entries: await build.gcideEntries(),
        classCap: inputs.classCap,
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
        inputs,
        description,
      );
      const heldOut = result.records.filter((r) => r.split !== 'train').map((r) => r.text);
      return { file, stats: result.stats, texts: () => Promise.resolve(heldOut) };
    },
    (record) => record.split !== 'train',
  );
}

/** The corpus, kept clean of every SpamAssassin text and the dictionary task's dev and test definitions. */
function pretrainCorpusStep(
  build: Build,
  inputs: ReturnType<typeof stepInputs>['pretrain'],
  spam: Step<SpamAssassinStats>,
  dictionary: Step<DictionaryDomainsStats>,
): Promise<Step<PretrainCorpusStats>> {
  const { options, outDir, seed, logger } = build;
  return reuseOrBuild(
    build,
    PRETRAIN_CORPUS_FILE,
    inputs,
    (m) => m.pretrainCorpus,
    async () => {
      const result = await buildPretrainCorpus({
        outDir,
        seed,
        validationFraction: inputs.validationFraction,
        exclude: await spam.texts(),
        excludeDefinitions: await dictionary.texts(),
        sources: options.sources ?? (await loadPretrainSources(await build.gcideEntries())),
        logger,
        onProgress: options.onProgress,
      });
      const description =
        'English pre-training corpus: {id, source, split, text}; split is train or validation, drawn by whole ' +
        'speech / chapter / Brown file / Bible book / 10-document section, seeded, stratified by source, Brown ' +
        'genre and Gutenberg book; no dictionary-domains dev/test definition (exact or sharing a word 8-gram).';
      const file = fileEntry(result, result.stats.documents, result.stats.splits, inputs, description);
      return { file, stats: result.stats, texts: () => Promise.resolve([]) };
    },
  );
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
