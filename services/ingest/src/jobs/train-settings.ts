import { invalidArgument } from '@headstart/errors';
import { ingest } from '@headstart/proto';
import {
  DEFAULT_BPE_SPECIAL_TOKENS,
  DEFAULT_WORDPIECE_SPECIAL_TOKENS,
  type UnicodeNormalization,
} from '@headstart/tokenizer';

export type TokenizerTypeName = 'wordpiece' | 'byte_level_bpe';

/** A tokenizer-training request, checked and with every default made explicit. */
export interface TrainSettings {
  type: TokenizerTypeName;
  vocabSize: number;
  minFrequency: number;
  specialTokens: string[];
  lowercase: boolean;
  stripAccents: boolean;
  unicodeNormalization: UnicodeNormalization | null;
}

/** Ids are stored as uint32 at most and the trainer packs pairs of ids below 2^26 into one number. */
export const MAX_VOCAB_SIZE = 1 << 20;
export const DEFAULT_MIN_FREQUENCY = 2;
const MAX_SPECIAL_TOKENS = 1000;
const MAX_SPECIAL_TOKEN_CHARS = 64;

const TYPES: Record<number, TokenizerTypeName> = {
  [ingest.TokenizerType.TOKENIZER_TYPE_UNSPECIFIED]: 'wordpiece',
  [ingest.TokenizerType.TOKENIZER_TYPE_WORDPIECE]: 'wordpiece',
  [ingest.TokenizerType.TOKENIZER_TYPE_BYTE_LEVEL_BPE]: 'byte_level_bpe',
};

const FORMS: Record<number, UnicodeNormalization | null> = {
  [ingest.UnicodeNormalization.UNICODE_NORMALIZATION_UNSPECIFIED]: null,
  [ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFC]: 'nfc',
  [ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFD]: 'nfd',
  [ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFKC]: 'nfkc',
  [ingest.UnicodeNormalization.UNICODE_NORMALIZATION_NFKD]: 'nfkd',
};

function bad(field: string, message: string): Error {
  return invalidArgument(`${field} ${message}`, { field });
}

function specialTokens(requested: readonly string[], type: TokenizerTypeName): string[] {
  if (requested.length === 0) {
    return [...(type === 'wordpiece' ? DEFAULT_WORDPIECE_SPECIAL_TOKENS : DEFAULT_BPE_SPECIAL_TOKENS)];
  }
  if (requested.length > MAX_SPECIAL_TOKENS)
    throw bad('special_tokens', `has more than ${MAX_SPECIAL_TOKENS} tokens`);
  requested.forEach((token, i) => {
    if (token.trim() === '' || token.length > MAX_SPECIAL_TOKEN_CHARS) {
      throw bad(`special_tokens[${i}]`, `must be 1-${MAX_SPECIAL_TOKEN_CHARS} characters, not blank`);
    }
    if (requested.indexOf(token) !== i) throw bad(`special_tokens[${i}]`, `repeats ${JSON.stringify(token)}`);
  });
  return [...requested];
}

/** Checks a StartTrainTokenizer request's options; every error is INVALID_ARGUMENT naming the field. */
export function trainSettings(request: ingest.StartTrainTokenizerRequest): TrainSettings {
  const type = TYPES[request.type];
  if (type === undefined) throw bad('type', `${request.type} is not a TokenizerType`);
  const vocabSize = request.vocabSize;
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > MAX_VOCAB_SIZE) {
    throw bad('vocab_size', `must be between 1 and ${MAX_VOCAB_SIZE}, got ${vocabSize}`);
  }
  const minFrequency = request.minFrequency ?? DEFAULT_MIN_FREQUENCY;
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw bad('min_frequency', `must be 1 or more, got ${minFrequency}`);
  }
  const specials = specialTokens(request.specialTokens, type);
  if (vocabSize <= specials.length) {
    throw bad(
      'vocab_size',
      `must be larger than the number of special tokens (${specials.length}), got ${vocabSize}`,
    );
  }
  const normalizer = request.normalizer;
  const form = FORMS[normalizer?.unicodeNormalization ?? 0];
  if (form === undefined) {
    throw bad(
      'normalizer.unicode_normalization',
      `${normalizer?.unicodeNormalization} is not a UnicodeNormalization`,
    );
  }
  const lowercase = normalizer?.lowercase ?? type === 'wordpiece';
  return {
    type,
    vocabSize,
    minFrequency,
    specialTokens: specials,
    lowercase,
    stripAccents: normalizer?.stripAccents ?? lowercase,
    unicodeNormalization: form,
  };
}

/** The settings as registry metadata (strings), so a tokenizer version says how it was made. */
export function settingsMetadata(settings: TrainSettings): Record<string, string> {
  return {
    tokenizer_type: settings.type,
    requested_vocab_size: String(settings.vocabSize),
    min_frequency: String(settings.minFrequency),
    special_tokens: JSON.stringify(settings.specialTokens),
    lowercase: String(settings.lowercase),
    strip_accents: String(settings.stripAccents),
    unicode_normalization: settings.unicodeNormalization ?? 'none',
  };
}
