// @headstart/datasets: builds the shipped data (the pre-training corpus and the SpamAssassin and
// dictionary-domains tasks) and the seeded split and label-budget helpers fine-tuning uses. The API is
// the one README.md lists; the loaders and text cleaners behind the builders not named there are internal.
export { buildShippedData, buildShippedDataWithReport, DEFAULT_SEED } from './build-shipped-data';
export type { BuildReport, BuildShippedDataOptions } from './build-shipped-data';
export { buildPretrainCorpus, PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
export type { BuildPretrainCorpusOptions, PretrainCorpusResult } from './pretrain-corpus';
export { buildSpamAssassinTask, SPAM_ASSASSIN_FILE } from './spam-assassin';
export type { BuildSpamAssassinOptions, SpamAssassinResult } from './spam-assassin';
export { buildDictionaryDomainsTask, DICTIONARY_DOMAINS_FILE } from './dictionary-domains';
export type { BuildDictionaryDomainsOptions, DictionaryDomainsResult } from './dictionary-domains';
export { DICTIONARY_DOMAIN_LABELS, domainMarks, removeDomainMarks } from './domain-marks';
export { readGcide } from './gcide';
export type { GcideEntry } from './gcide';
export { entrySenses } from './gcide-senses';
export { loadWorldEnglishBible } from './sword';
export type { SwordChapter } from './sword';
export { loadGutenberg } from './gutenberg';
export type { GutenbergBook } from './gutenberg';
export { groupSentences, splitSentences } from './sentences';
export { brownToText, detokenize } from './brown';
export { decodeEntities, stripHtml } from './html';
export { extractSubjectAndBody } from './email';
export { cleanEmail } from './spam-text';
export { stratifiedSplit } from './split';
export type { SplitItem } from './split';
export { labelBudget, labelOrder } from './label-budget';
export type { LabelledItem } from './label-budget';
export type { Manifest, ManifestFile } from './manifest';
export type { BuildProgress, DatasetsLogger, ProgressListener } from './progress';
export {
  checkLabelledFile,
  DEFAULT_MAX_LINE_BYTES,
  firstInvalidUtf8,
  LabelledFileChecker,
  LabelledFileError,
  labelledFileFormat,
} from './labelled-file';
export type {
  LabelledFileCheckOptions,
  LabelledFileFormat,
  LabelledFileProblemKind,
  LabelledFileSummary,
} from './labelled-file';
