import { invalidArgument } from '@headstart/errors';
import { ingest } from '@headstart/proto';
import { validateDescription, validateModelName, validateTags } from '../names';
import type { CompressionMode } from './decompress';
import type { CorpusFormatName } from './parse-documents';

export const DEFAULT_VALIDATION_FRACTION = 0.05;
export const DEFAULT_MAX_LINE_BYTES = 4 << 20;
export const DEFAULT_TEXT_FIELD = 'text';

/** An upload's metadata, checked and with defaults applied. */
export interface UploadSettings {
  datasetName: string;
  format: CorpusFormatName;
  compression: CompressionMode;
  textField: string;
  splitField: string | undefined;
  validationFraction: number;
  seed: number;
  maxLineBytes: number;
  description: string;
  tags: string[];
  idempotencyKey: string;
}

const FORMATS: Record<number, CorpusFormatName> = {
  [ingest.CorpusFormat.CORPUS_FORMAT_UNSPECIFIED]: 'text',
  [ingest.CorpusFormat.CORPUS_FORMAT_TEXT]: 'text',
  [ingest.CorpusFormat.CORPUS_FORMAT_LINES]: 'lines',
  [ingest.CorpusFormat.CORPUS_FORMAT_JSONL]: 'jsonl',
};

const COMPRESSIONS: Record<number, CompressionMode> = {
  [ingest.Compression.COMPRESSION_UNSPECIFIED]: 'auto',
  [ingest.Compression.COMPRESSION_NONE]: 'none',
  [ingest.Compression.COMPRESSION_GZIP]: 'gzip',
};

const FIELD_NAME = /^[^\s]{1,256}$/;

function bad(field: string, message: string): Error {
  return invalidArgument(`${field} ${message}`, { field });
}

/** Validates the first message of an upload; every error names the field. */
export function uploadSettings(metadata: ingest.CorpusMetadata, lineLimit: number): UploadSettings {
  const datasetName = validateModelName(metadata.datasetName, 'dataset_name');
  const format = FORMATS[metadata.format];
  if (format === undefined) throw bad('format', `${metadata.format} is not a CorpusFormat`);
  const compression = COMPRESSIONS[metadata.compression];
  if (compression === undefined) throw bad('compression', `${metadata.compression} is not a Compression`);

  if (format !== 'jsonl' && metadata.textField !== '') {
    throw bad('text_field', 'applies to the JSONL format only');
  }
  if (format !== 'jsonl' && metadata.splitField !== '') {
    throw bad('split_field', 'applies to the JSONL format only');
  }
  const textField = metadata.textField === '' ? DEFAULT_TEXT_FIELD : metadata.textField;
  if (!FIELD_NAME.test(textField)) throw bad('text_field', 'must be 1-256 characters without whitespace');
  const splitField = metadata.splitField === '' ? undefined : metadata.splitField;
  if (splitField !== undefined && !FIELD_NAME.test(splitField)) {
    throw bad('split_field', 'must be 1-256 characters without whitespace');
  }

  const fraction = metadata.validationFraction;
  if (fraction !== undefined) {
    if (splitField !== undefined) {
      throw bad('validation_fraction', 'cannot be combined with split_field (the corpus assigns the splits)');
    }
    if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
      throw bad('validation_fraction', `must be at least 0 and below 1, got ${fraction}`);
    }
  }

  if (!Number.isSafeInteger(metadata.seed) || metadata.seed < 0) {
    throw bad('seed', `must be a non-negative integer below 2^53, got ${metadata.seed}`);
  }
  const maxLineBytes =
    metadata.maxLineBytes === 0 ? Math.min(DEFAULT_MAX_LINE_BYTES, lineLimit) : metadata.maxLineBytes;
  if (maxLineBytes > lineLimit) {
    throw bad('max_line_bytes', `must be at most ${lineLimit} (this server's limit), got ${maxLineBytes}`);
  }
  if (metadata.idempotencyKey.length > 256) throw bad('idempotency_key', 'is longer than 256 characters');
  return {
    datasetName,
    format,
    compression,
    textField,
    splitField,
    validationFraction: fraction ?? DEFAULT_VALIDATION_FRACTION,
    seed: metadata.seed,
    maxLineBytes,
    description: validateDescription(metadata.description),
    tags: validateTags(metadata.tags),
    idempotencyKey: metadata.idempotencyKey,
  };
}
