export { buildShippedData, buildShippedDataWithReport, DEFAULT_SEED } from './build-shipped-data';
export type { BuildReport, BuildShippedDataOptions } from './build-shipped-data';
export {
  buildPretrainCorpus,
  brownDocuments,
  mobyDickDocuments,
  sotuDocuments,
  normalizeText,
} from './pretrain-corpus';
export { DEFAULT_VALIDATION_FRACTION, loadPretrainSources, PRETRAIN_CORPUS_FILE } from './pretrain-corpus';
export type {
  BuildPretrainCorpusOptions,
  PretrainCorpusResult,
  PretrainCorpusStats,
  PretrainDocument,
  PretrainRecord,
  PretrainSource,
  PretrainSources,
  PretrainSplit,
  SourceSize,
} from './pretrain-corpus';
export { DOCUMENTS_PER_SECTION, PRETRAIN_SOURCES } from './corpus-documents';
export {
  buildDictionaryDomainsTask,
  capPerClass,
  deduplicate,
  DEFAULT_CLASS_CAP,
  DICTIONARY_DOMAINS_FILE,
  DICTIONARY_SPLIT_SIZES,
  domainCandidates,
  MIN_DEFINITION_WORDS,
  normalizeDefinition,
} from './dictionary-domains';
export type {
  BuildDictionaryDomainsOptions,
  DictionaryDomainsRecord,
  DictionaryDomainsResult,
  DictionaryDomainsSplit,
  DictionaryDomainsStats,
  DomainCandidate,
} from './dictionary-domains';
export { DICTIONARY_DOMAIN_LABELS, domainMarks, removeDomainMarks } from './domain-marks';
export type { DictionaryDomain, DomainMarks } from './domain-marks';
export { decodeDictNumber, encodeDictNumber, GCIDE_DICT, GCIDE_INDEX, parseDictd, readGcide } from './gcide';
export type { GcideEntry } from './gcide';
export { cleanDefinition, decodeAccents, entrySenses, headwordOf, removeBrackets } from './gcide-senses';
export type { GcideSense, GcideSenseKind } from './gcide-senses';
export { DEFINITION_NGRAM, DefinitionFilter, gcideDocuments } from './gcide-corpus';
export type { GcideCorpus } from './gcide-corpus';
export { GUTENBERG_SKIPPED, gutenbergDocuments, gutenbergParagraphs, loadGutenberg } from './gutenberg';
export type { GutenbergBook } from './gutenberg';
export {
  bibleDocuments,
  loadWorldEnglishBible,
  osisToText,
  readZtextEntries,
  swordChapters,
  WEB_MODULE_DIR,
} from './sword';
export type { SwordChapter } from './sword';
export { debianVersion, MissingDebianPackageError, requireDebianFile } from './debian';
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
export {
  allSourceInfo,
  BROWN_GENRES,
  debianSourceInfo,
  loadBrown,
  loadMobyDick,
  loadSotu,
  loadSpamAssassin,
  sourceInfo,
} from './sources';
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
