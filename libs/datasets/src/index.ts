export { buildShippedData, buildShippedDataWithReport, DEFAULT_SEED } from './build-shipped-data';
export type { BuildReport, BuildShippedDataOptions } from './build-shipped-data';
export {
  buildPretrainCorpus,
  brownDocuments,
  mobyDickDocuments,
  sotuDocuments,
  normalizeText,
} from './pretrain-corpus';
export { DEFAULT_VALIDATION_FRACTION, PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
export type {
  BuildPretrainCorpusOptions,
  PretrainCorpusResult,
  PretrainCorpusStats,
  PretrainDocument,
  PretrainRecord,
  PretrainSource,
  PretrainSplit,
} from './pretrain-corpus';
export { buildSpamAssassinTask, labelOf, SPAM_ASSASSIN_FILE } from './spam-assassin';
export type {
  BuildSpamAssassinOptions,
  SpamAssassinRecord,
  SpamAssassinResult,
  SpamAssassinStats,
  SpamLabel,
  TaskSplit,
} from './spam-assassin';
export { capLength, cleanEmail, DEFAULT_LENGTH_CAP, normalizeForNearDuplicates } from './spam-text';
export type { CleanEmail } from './spam-text';
export { collapseWhitespace, extractSubjectAndBody, removeHeaderBlocks, splitMultipart } from './email';
export type { SubjectAndBody } from './email';
export { decodeEntities, stripHtml } from './html';
export {
  decodeBase64,
  decodeBody,
  decodeCharset,
  decodeEncodedWords,
  decodeQuotedPrintable,
  parseContentType,
  parseEntity,
} from './mime';
export type { ContentType, MimeEntity } from './mime';
export { brownToText, detokenize } from './brown';
export { groupSentences, splitSentences } from './sentences';
export type { SentenceGroupOptions } from './sentences';
export { largestRemainder, stratifiedSplit } from './split';
export type { SplitItem } from './split';
export { labelBudget, labelOrder } from './label-budget';
export type { LabelledItem } from './label-budget';
export { seededKey, seededShuffle } from './seeded-order';
export { NgramIndex, ngramKeys, overlapWords } from './ngram-overlap';
export { fileMatches, MANIFEST_FILE, MANIFEST_FORMAT, readManifest } from './manifest';
export type { Manifest, ManifestFile } from './manifest';
export { BROWN_GENRES, loadBrown, loadMobyDick, loadSotu, loadSpamAssassin, sourceInfo } from './sources';
export type { BrownFile, MobyDickChapter, RawEmail, SotuSpeech, SourceInfo } from './sources';
export { createJsonlWriter, digestFile } from './jsonl-writer';
export type { JsonlWriter, WrittenFile } from './jsonl-writer';
export { runDataCli } from './cli';
export type { DataCliOptions } from './cli';
export { formatSummary } from './summary';
export { currentBuilder } from './builder-identity';
export type { BuilderIdentity } from './builder-identity';
export { silentLogger } from './progress';
export type { BuildProgress, DatasetsLogger, ProgressListener } from './progress';
