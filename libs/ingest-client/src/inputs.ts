import { Code, HeadstartError } from '@headstart/errors';
import { common, ingest } from '@headstart/proto';
import { toVersionRef, type VersionRefInput } from '@headstart/registry-client';

export type CorpusFormatInput = 'text' | 'lines' | 'jsonl';
export type CompressionInput = 'auto' | 'none' | 'gzip';
export type TokenizerTypeInput = 'wordpiece' | 'bpe' | 'byte_level_bpe';
export type UnicodeNormalizationInput = 'none' | 'nfc' | 'nfd' | 'nfkc' | 'nfkd';
export type JobStateInput = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A corpus upload's metadata, with friendlier types than the wire message. */
export interface CorpusUploadInput {
  datasetName: string;
  /** @default 'text' (documents separated by blank lines) */
  format?: CorpusFormatInput;
  /** JSONL: the field holding the text. @default 'text' */
  textField?: string;
  /** JSONL: a field holding "train" or "validation" (instead of a seeded split). */
  splitField?: string;
  /** @default 'auto' (gzip detected by its magic bytes) */
  compression?: CompressionInput;
  /** @default 0.05 */
  validationFraction?: number;
  seed?: number;
  maxLineBytes?: number;
  description?: string;
  tags?: string[];
  idempotencyKey?: string;
}

export interface TrainTokenizerInput {
  dataset: VersionRefInput;
  tokenizerName: string;
  vocabSize: number;
  /** @default 'wordpiece' */
  type?: TokenizerTypeInput;
  minFrequency?: number;
  specialTokens?: string[];
  lowercase?: boolean;
  stripAccents?: boolean;
  unicodeNormalization?: UnicodeNormalizationInput;
  description?: string;
  tags?: string[];
}

export interface TokenizeInput {
  dataset: VersionRefInput;
  tokenizer: VersionRefInput;
  shardsName: string;
  description?: string;
  tags?: string[];
}

/**
 * A corpus built from a labelled dataset's texts (CreateCorpusFromDataset): by default the texts of its
 * `train` split, registered as `<dataset>-text`, derived_from the dataset.
 */
export interface CorpusFromDatasetInput {
  /** The labelled DATASET (JSONL rows): `name`, `name:3`, `name@alias` or a VersionRef. */
  dataset: VersionRefInput;
  /** DATASET model the corpus is registered under. @default `<dataset name>-text` */
  corpusName?: string;
  /** Splits whose texts are taken. @default ['train'] */
  splits?: string[];
  /**
   * Allow evaluation splits (dev, test, validation, ...) or, for a dataset without a split field, every
   * row; the corpus then records `includes_eval_splits`. Without it they are refused (INVALID_ARGUMENT).
   * @default false
   */
  allowEvalSplits?: boolean;
  /** @default the dataset's `text_field` metadata, else 'text' */
  textField?: string;
  /** @default the dataset's `split_field` metadata, else 'split' */
  splitField?: string;
  /** Fraction of the corpus's documents in its own validation split. @default 0.05 */
  validationFraction?: number;
  /** Seed of that validation split. @default 0 */
  seed?: number;
  description?: string;
  tags?: string[];
}

function choice<T>(table: Record<string, T>, value: string, field: string): T {
  const found = table[value.toLowerCase()];
  if (found === undefined) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `${field} "${value}" is not one of ${Object.keys(table).join(', ')}`,
      { details: { field } },
    );
  }
  return found;
}

const FORMATS: Record<string, ingest.CorpusFormat> = {
  text: ingest.CorpusFormat.CORPUS_FORMAT_TEXT,
  lines: ingest.CorpusFormat.CORPUS_FORMAT_LINES,
  jsonl: ingest.CorpusFormat.CORPUS_FORMAT_JSONL,
};
const COMPRESSIONS: Record<string, ingest.Compression> = {
  auto: ingest.Compression.COMPRESSION_UNSPECIFIED,
  none: ingest.Compression.COMPRESSION_NONE,
  gzip: ingest.Compression.COMPRESSION_GZIP,
};
const TYPES: Record<string, ingest.TokenizerType> = {
  wordpiece: ingest.TokenizerType.TOKENIZER_TYPE_WORDPIECE,
  bpe: ingest.TokenizerType.TOKENIZER_TYPE_BYTE_LEVEL_BPE,
  byte_level_bpe: ingest.TokenizerType.TOKENIZER_TYPE_BYTE_LEVEL_BPE,
};
const FORMS: Record<string, ingest.UnicodeNormalization> = {
  none: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_UNSPECIFIED,
  nfc: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFC,
  nfd: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFD,
  nfkc: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFKC,
  nfkd: ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFKD,
};
export const JOB_STATES: Record<JobStateInput, common.JobState> = {
  queued: common.JobState.JOB_STATE_QUEUED,
  running: common.JobState.JOB_STATE_RUNNING,
  succeeded: common.JobState.JOB_STATE_SUCCEEDED,
  failed: common.JobState.JOB_STATE_FAILED,
  cancelled: common.JobState.JOB_STATE_CANCELLED,
};

export function parseJobState(value: string): common.JobState {
  return choice(JOB_STATES as Record<string, common.JobState>, value, 'state');
}

/** `queued`, `running`... the short lower-case name of a state. */
export function formatJobState(state: common.JobState): string {
  return common
    .jobStateToJSON(state)
    .replace(/^JOB_STATE_/, '')
    .toLowerCase();
}

export function toCorpusMetadata(input: CorpusUploadInput): ingest.CorpusMetadata {
  return {
    datasetName: input.datasetName,
    format: choice(FORMATS, input.format ?? 'text', 'format'),
    textField: input.textField ?? '',
    compression: choice(COMPRESSIONS, input.compression ?? 'auto', 'compression'),
    ...(input.validationFraction === undefined ? {} : { validationFraction: input.validationFraction }),
    seed: input.seed ?? 0,
    maxLineBytes: input.maxLineBytes ?? 0,
    splitField: input.splitField ?? '',
    description: input.description ?? '',
    tags: [...(input.tags ?? [])],
    idempotencyKey: input.idempotencyKey ?? '',
  };
}

export function toTrainTokenizerRequest(input: TrainTokenizerInput): ingest.StartTrainTokenizerRequest {
  const normalizer: ingest.NormalizerOptions = {
    ...(input.lowercase === undefined ? {} : { lowercase: input.lowercase }),
    ...(input.stripAccents === undefined ? {} : { stripAccents: input.stripAccents }),
    unicodeNormalization: choice(FORMS, input.unicodeNormalization ?? 'none', 'unicodeNormalization'),
  };
  return {
    dataset: toVersionRef(input.dataset),
    tokenizerName: input.tokenizerName,
    vocabSize: input.vocabSize,
    type: choice(TYPES, input.type ?? 'wordpiece', 'type'),
    ...(input.minFrequency === undefined ? {} : { minFrequency: input.minFrequency }),
    specialTokens: [...(input.specialTokens ?? [])],
    normalizer,
    description: input.description ?? '',
    tags: [...(input.tags ?? [])],
  };
}

export function toTokenizeRequest(input: TokenizeInput): ingest.StartTokenizeRequest {
  return {
    dataset: toVersionRef(input.dataset),
    tokenizer: toVersionRef(input.tokenizer),
    shardsName: input.shardsName,
    description: input.description ?? '',
    tags: [...(input.tags ?? [])],
  };
}

export function toCreateCorpusFromDatasetRequest(
  input: CorpusFromDatasetInput,
): ingest.CreateCorpusFromDatasetRequest {
  return {
    dataset: toVersionRef(input.dataset),
    corpusName: input.corpusName ?? '',
    textField: input.textField ?? '',
    splitField: input.splitField ?? '',
    splits: [...(input.splits ?? [])],
    allowEvalSplits: input.allowEvalSplits ?? false,
    ...(input.validationFraction === undefined ? {} : { validationFraction: input.validationFraction }),
    seed: input.seed ?? 0,
    description: input.description ?? '',
    tags: [...(input.tags ?? [])],
  };
}
