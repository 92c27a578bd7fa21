import { invalidArgument } from '@headstart/errors';
import type { ingest } from '@headstart/proto';
import { validateDescription, validateModelName, validateTags } from '../names';
import { DEFAULT_VALIDATION_FRACTION } from './upload-settings';

/** The splits taken when a request names none: a task's training inputs only. */
export const DEFAULT_SOURCE_SPLITS: readonly string[] = ['train'];

/**
 * Split names a fine-tune evaluates on (its dev and test splits, and their usual other names). Their
 * texts are refused as pre-training text unless the request sets allow_eval_splits: a model pre-trained
 * on them has seen the very texts its fine-tunes are scored on. Compared without case.
 */
export const EVAL_SPLITS: readonly string[] = [
  'dev',
  'test',
  'validation',
  'val',
  'valid',
  'eval',
  'heldout',
  'held_out',
];

/** Tag and metadata key of a corpus that holds evaluation texts. */
export const INCLUDES_EVAL_SPLITS = 'includes_eval_splits';

const FIELD_NAME = /^[^\s]{1,256}$/;
const MAX_SPLIT_CHARS = 256;
const MAX_SPLITS = 64;

/** A CreateCorpusFromDataset request, checked, with the defaults that do not need the dataset applied. */
export interface FromDatasetSettings {
  /** Empty: `<dataset name>-text`, decided once the dataset is resolved. */
  corpusName: string;
  /** Empty: the dataset's `text_field` metadata, else "text". */
  textField: string;
  /** Empty: the dataset's `split_field` metadata, else "split". */
  splitField: string;
  /** Sorted, without duplicates. */
  splits: string[];
  allowEvalSplits: boolean;
  validationFraction: number;
  seed: number;
  description: string;
  tags: string[];
}

function bad(field: string, message: string): Error {
  return invalidArgument(`${field} ${message}`, { field });
}

export function isEvalSplit(split: string): boolean {
  return EVAL_SPLITS.includes(split.toLowerCase());
}

function fieldName(value: string, field: string): string {
  if (value !== '' && !FIELD_NAME.test(value)) {
    throw bad(field, 'must be 1-256 characters without whitespace');
  }
  return value;
}

/** Validates a request; every error names the field. No registry call. */
export function fromDatasetSettings(request: ingest.CreateCorpusFromDatasetRequest): FromDatasetSettings {
  const corpusName = request.corpusName === '' ? '' : validateModelName(request.corpusName, 'corpus_name');
  const textField = fieldName(request.textField, 'text_field');
  const splitField = fieldName(request.splitField, 'split_field');
  if (textField !== '' && textField === splitField) throw bad('split_field', 'must differ from text_field');

  if (request.splits.length > MAX_SPLITS) throw bad('splits', `has more than ${MAX_SPLITS} names`);
  request.splits.forEach((split, i) => {
    if (split.trim() === '') throw bad('splits', `[${i}] is empty`);
    if (split.length > MAX_SPLIT_CHARS)
      throw bad('splits', `[${i}] is longer than ${MAX_SPLIT_CHARS} characters`);
  });
  const splits = [...new Set(request.splits.length === 0 ? DEFAULT_SOURCE_SPLITS : request.splits)].sort();
  const evalSplits = splits.filter(isEvalSplit);
  if (evalSplits.length > 0 && !request.allowEvalSplits) {
    const named = evalSplits.map((s) => JSON.stringify(s)).join(', ');
    throw invalidArgument(
      `splits ${named} ${evalSplits.length === 1 ? 'is an evaluation split' : 'are evaluation splits'}: ` +
        'a model pre-trained on those texts has seen the texts its fine-tunes are scored on. Leave ' +
        `${evalSplits.length === 1 ? 'it' : 'them'} out (the default is the train split only), or set ` +
        `allow_eval_splits (headstart corpus from-dataset --force) to take ${evalSplits.length === 1 ? 'it' : 'them'} ` +
        `anyway; the corpus then records ${INCLUDES_EVAL_SPLITS}`,
      { field: 'splits', split: evalSplits[0]! },
    );
  }

  const fraction = request.validationFraction;
  if (fraction !== undefined && (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1)) {
    throw bad('validation_fraction', `must be at least 0 and below 1, got ${fraction}`);
  }
  if (!Number.isSafeInteger(request.seed) || request.seed < 0) {
    throw bad('seed', `must be a non-negative integer below 2^53, got ${request.seed}`);
  }
  return {
    corpusName,
    textField,
    splitField,
    splits,
    allowEvalSplits: request.allowEvalSplits,
    validationFraction: fraction ?? DEFAULT_VALIDATION_FRACTION,
    seed: request.seed,
    description: validateDescription(request.description),
    tags: validateTags(request.tags),
  };
}
