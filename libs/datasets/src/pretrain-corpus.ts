import { brownDocuments, mobyDickDocuments, PRETRAIN_SOURCES, sotuDocuments } from './corpus-documents';
import type { PretrainDocument, PretrainSource } from './corpus-documents';
import type { GcideEntry } from './gcide';
import { readGcide } from './gcide';
import { DEFINITION_NGRAM, DefinitionFilter, gcideDocuments } from './gcide-corpus';
import { gutenbergDocuments, loadGutenberg } from './gutenberg';
import type { GutenbergBook } from './gutenberg';
import { createJsonlWriter } from './jsonl-writer';
import { NgramIndex } from './ngram-overlap';
import { silentLogger } from './progress';
import type { DatasetsLogger, ProgressListener } from './progress';
import type { SentenceGroupOptions } from './sentences';
import { loadBrown, loadMobyDick, loadSotu } from './sources';
import type { BrownFile, MobyDickChapter, SotuSpeech } from './sources';
import { stratifiedSplit } from './split';
import { bibleDocuments, loadWorldEnglishBible } from './sword';
import type { SwordChapter } from './sword';

export { brownDocuments, mobyDickDocuments, normalizeText, sotuDocuments } from './corpus-documents';
export type { PretrainDocument, PretrainSource } from './corpus-documents';

export const PRETRAIN_CORPUS_FILE = 'pretrain-corpus.jsonl';
export type PretrainSplit = 'train' | 'validation';

/** One line of pretrain-corpus.jsonl. */
export interface PretrainRecord {
  readonly id: string;
  readonly source: PretrainSource;
  readonly split: PretrainSplit;
  readonly text: string;
}

/** Size of one source in the corpus; words are whitespace-separated tokens. */
export interface SourceSize {
  documents: number;
  characters: number;
  words: number;
  units: number;
}

export interface PretrainCorpusStats {
  readonly documents: number;
  readonly characters: number;
  readonly words: number;
  readonly splits: Record<PretrainSplit, number>;
  readonly bySource: Record<PretrainSource, SourceSize>;
  readonly validationFraction: number;
  readonly validationUnits: number;
  readonly sentenceGroup: { targetChars: number; minChars: number };
  /** Documents dropped because they share a word n-gram with an excluded (task) text. */
  readonly decontamination: { ngram: number; protectedTexts: number; droppedDocuments: string[] };
  /**
   * Against the dictionary task's dev and test definitions: GCIDE definitions left out (exact or near
   * copies), and documents of the other sources dropped for sharing an n-gram with one.
   */
  readonly definitionDecontamination: {
    ngram: number;
    protectedTexts: number;
    excludedDefinitions: { exact: number; near: number };
    droppedDocuments: string[];
  };
}

/** Source overrides. When given, only the listed sources are used (tests build from small subsets). */
export interface PretrainSources {
  sotu?: SotuSpeech[];
  mobyDick?: MobyDickChapter[];
  brown?: BrownFile[];
  gutenberg?: GutenbergBook[];
  bible?: SwordChapter[];
  gcide?: readonly GcideEntry[];
}

export interface BuildPretrainCorpusOptions {
  outDir: string;
  seed: number;
  /** Share of units held out for validation. Default 0.05. */
  validationFraction?: number;
  sentenceGroup?: SentenceGroupOptions;
  /** Texts that must not appear in the corpus (a labelled task); documents sharing an n-gram are dropped. */
  exclude?: Iterable<string>;
  /** n of the overlap check. Default 13. */
  excludeNgram?: number;
  /** Held-out definitions of the dictionary task: left out of GCIDE, exact and near copies (8-grams). */
  excludeDefinitions?: Iterable<string>;
  /** Default: every source, from the npm and Debian packages. */
  sources?: PretrainSources;
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
const DEFAULT_GROUP = { targetChars: 3000, minChars: 1000 };

/** Every source from its package; GCIDE can be passed in when the caller has read it already. */
export async function loadPretrainSources(gcide?: readonly GcideEntry[]): Promise<Required<PretrainSources>> {
  return {
    sotu: loadSotu(),
    mobyDick: loadMobyDick(),
    brown: await loadBrown(),
    gutenberg: loadGutenberg(),
    bible: await loadWorldEnglishBible(),
    gcide: gcide ?? (await readGcide()),
  };
}

/**
 * Builds pretrain-corpus.jsonl: every document with its split ('train' or 'validation'), drawn by unit
 * (a whole speech, chapter, Brown file, Bible book or section goes to one side), seeded and stratified by
 * source (Brown genre, Gutenberg book). Documents sharing a 13-gram with an `exclude` text are dropped;
 * held-out dictionary definitions are kept out as described at DefinitionFilter.
 */
export async function buildPretrainCorpus(
  options: BuildPretrainCorpusOptions,
): Promise<PretrainCorpusResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.onProgress ?? ((): void => undefined);
  const validationFraction = options.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
  const sentenceGroup = { ...DEFAULT_GROUP, ...options.sentenceGroup };
  const ngram = options.excludeNgram ?? 13;

  progress({
    target: 'pretrain-corpus',
    phase: 'load',
    message: 'loading SOTU, Moby Dick, Brown, Gutenberg, WEB, GCIDE',
  });
  const sources = options.sources ?? (await loadPretrainSources());
  const filter = new DefinitionFilter(options.excludeDefinitions ?? [], DEFINITION_NGRAM);
  const gcide = gcideDocuments(sources.gcide ?? [], filter, sentenceGroup);
  const others = [
    ...sotuDocuments(sources.sotu ?? [], sentenceGroup),
    ...mobyDickDocuments(sources.mobyDick ?? []),
    ...brownDocuments(sources.brown ?? []),
    ...gutenbergDocuments(sources.gutenberg ?? [], sentenceGroup),
    ...bibleDocuments(sources.bible ?? []),
  ].filter((doc) => doc.text.length > 0);

  const index = new NgramIndex(ngram);
  let protectedTexts = 0;
  for (const text of options.exclude ?? []) {
    index.add(text);
    protectedTexts++;
  }
  const overlapsTask = (d: PretrainDocument): boolean => protectedTexts > 0 && index.sharedNgrams(d.text) > 0;
  const dropped = [...others, ...gcide.documents].filter(overlapsTask).map((d) => d.id);
  const definitionDropped = others.filter((d) => filter.sharesNgram(d.text)).map((d) => d.id);
  if (dropped.length + definitionDropped.length > 0) {
    logger.warn({ dropped, definitionDropped }, 'pre-training documents overlapping task text dropped');
  }
  const droppedIds = new Set([...dropped, ...definitionDropped]);
  const kept = [...others, ...gcide.documents].filter((d) => !droppedIds.has(d.id));

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
  const { written, totals } = await writeCorpus(options.outDir, kept, validationUnits);
  const stats: PretrainCorpusStats = {
    ...totals,
    validationFraction,
    validationUnits: validationUnits.size,
    sentenceGroup,
    decontamination: { ngram, protectedTexts, droppedDocuments: dropped },
    definitionDecontamination: {
      ngram: filter.ngram,
      protectedTexts: filter.size,
      excludedDefinitions: gcide.excluded,
      droppedDocuments: definitionDropped,
    },
  };
  logger.info(
    { file: written.file, bytes: written.bytes, documents: kept.length, splits: totals.splits },
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

type CorpusTotals = Pick<PretrainCorpusStats, 'documents' | 'characters' | 'words' | 'splits' | 'bySource'>;

/** Writes the documents in order with their split, counting sizes per source as it goes. */
async function writeCorpus(
  outDir: string,
  documents: readonly PretrainDocument[],
  validationUnits: ReadonlySet<string>,
): Promise<{ written: { file: string; sha256: string; bytes: number }; totals: CorpusTotals }> {
  const splits: Record<PretrainSplit, number> = { train: 0, validation: 0 };
  const bySource = Object.fromEntries(
    PRETRAIN_SOURCES.map((s) => [s, { documents: 0, characters: 0, words: 0, units: 0 }]),
  ) as Record<PretrainSource, SourceSize>;
  const seenUnits = new Set<string>();
  const writer = await createJsonlWriter(outDir, PRETRAIN_CORPUS_FILE);
  try {
    for (const doc of documents) {
      const split: PretrainSplit = validationUnits.has(doc.unit) ? 'validation' : 'train';
      const record: PretrainRecord = { id: doc.id, source: doc.source, split, text: doc.text };
      await writer.write(record);
      splits[split]++;
      const size = bySource[doc.source];
      size.documents++;
      size.characters += doc.text.length;
      size.words += countWords(doc.text);
      // Bible books are units of two sources (KJV and WEB): count them per source.
      const unitKey = `${doc.source}\u0000${doc.unit}`;
      if (!seenUnits.has(unitKey)) size.units++;
      seenUnits.add(unitKey);
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const written = await writer.close();
  const sizes = Object.values(bySource);
  const sum = (key: 'characters' | 'words'): number => sizes.reduce((total, s) => total + s[key], 0);
  return {
    written,
    totals: {
      documents: documents.length,
      characters: sum('characters'),
      words: sum('words'),
      splits,
      bySource,
    },
  };
}

function countWords(text: string): number {
  let words = 0;
  for (const _ of text.matchAll(/\S+/g)) words++;
  return words;
}
