// Trains a BERT-style WordPiece tokenizer the way Hugging Face's WordPieceTrainer does: BPE merges
// with a continuation prefix ("##"), whose vocabulary becomes the WordPiece vocabulary.
import type { Normalizer } from '../normalizers';
import { createBertPreTokenizer } from '../pre-tokenizers';
import type { TemplateProcessingJson, TokenizerJson } from '../tokenizer-json';
import { trainBpe } from './bpe-trainer';
import { type UnicodeNormalization, bertStyleNormalizer } from './normalizer-options';
import type { TrainControl } from './progress';
import { type Documents, countWords, withCounts } from './word-counter';

export interface WordPieceTrainOptions extends TrainControl {
  /** Target vocabulary size, special tokens and alphabet included. Default 30000. */
  vocabSize?: number;
  /** A pair must be seen this many times to be merged. Default 2. */
  minFrequency?: number;
  /** Special tokens, given the first ids in this order. Default [PAD] [UNK] [CLS] [SEP] [MASK]. */
  specialTokens?: readonly string[];
  /** Keep at most this many distinct characters (the most frequent). Default 1000; null = all. */
  limitAlphabet?: number | null;
  /** Characters always in the vocabulary, seen or not. Default none. */
  initialAlphabet?: readonly string[];
  /** Prefix of pieces that continue a word. Default '##'. */
  continuingSubwordPrefix?: string;
  /** Words longer than this (code points) encode as the unknown token. Default 100. */
  maxInputCharsPerWord?: number;
  /** Unknown token; keep it among the special tokens, or unknown words cannot be encoded. Default '[UNK]'. */
  unkToken?: string;
  /** Template tokens: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`. Defaults '[CLS]', '[SEP]'. */
  clsToken?: string;
  sepToken?: string;
  /** Lowercase (BERT uncased). Default true. */
  lowercase?: boolean;
  /** Strip accents. Default: same as `lowercase`. */
  stripAccents?: boolean;
  /** Remove control characters and unify whitespace. Default true. */
  cleanText?: boolean;
  /** Make each CJK ideograph its own word. Default true. */
  handleChineseChars?: boolean;
  /** Unicode normalization applied before the BERT normalizer. Default none. */
  unicodeNormalization?: UnicodeNormalization | null;
  /** Replaces the normalizer the options above describe. */
  normalizer?: Normalizer | null;
}

export const DEFAULT_WORDPIECE_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export async function trainWordPiece(
  documents: Documents,
  options: WordPieceTrainOptions = {},
): Promise<TokenizerJson> {
  const vocabSize = options.vocabSize ?? 30000;
  const specialTokens = options.specialTokens ?? DEFAULT_WORDPIECE_SPECIAL_TOKENS;
  const unkToken = options.unkToken ?? '[UNK]';
  const prefix = options.continuingSubwordPrefix ?? '##';
  validate(vocabSize, options.minFrequency, specialTokens);
  if (prefix === '') throw new Error('continuingSubwordPrefix must not be empty');
  const normalizer =
    options.normalizer !== undefined
      ? options.normalizer
      : bertStyleNormalizer({
          lowercase: options.lowercase ?? true,
          stripAccents: options.stripAccents ?? null,
          cleanText: options.cleanText ?? true,
          handleChineseChars: options.handleChineseChars ?? true,
          unicodeNormalization: options.unicodeNormalization ?? null,
        });
  const preTokenizer = createBertPreTokenizer();
  const counted = await countWords(documents, normalizer, preTokenizer, options, vocabSize);
  const { counts } = counted;
  const { vocab } = await trainBpe(
    counts,
    {
      vocabSize,
      minFrequency: options.minFrequency ?? 2,
      specialTokens,
      limitAlphabet: options.limitAlphabet === undefined ? 1000 : options.limitAlphabet,
      initialAlphabet: options.initialAlphabet ?? [],
      continuingSubwordPrefix: prefix,
    },
    withCounts(options, counted),
  );
  const idOf = new Map(vocab.map((t, i) => [t, i] as const));
  const cls = options.clsToken ?? '[CLS]';
  const sep = options.sepToken ?? '[SEP]';
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(specialTokens, idOf),
    normalizer: normalizer?.toJSON() ?? null,
    pre_tokenizer: preTokenizer.toJSON(),
    post_processor:
      idOf.has(cls) && idOf.has(sep) ? bertTemplate(cls, idOf.get(cls)!, sep, idOf.get(sep)!) : null,
    decoder: { type: 'WordPiece', prefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: unkToken,
      continuing_subword_prefix: prefix,
      max_input_chars_per_word: options.maxInputCharsPerWord ?? 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i] as const)),
    },
  };
}

export function validate(
  vocabSize: number,
  minFrequency: number | undefined,
  specials: readonly string[],
): void {
  if (!Number.isInteger(vocabSize) || vocabSize < 1)
    throw new RangeError(`vocabSize must be a positive integer`);
  if (minFrequency !== undefined && !(minFrequency >= 0)) throw new RangeError('minFrequency must be >= 0');
  if (specials.some((t) => t === '')) throw new Error('special tokens must not be empty');
}

export function specialAddedTokens(specials: readonly string[], idOf: ReadonlyMap<string, number>) {
  return [...new Set(specials)].map((content) => ({
    id: idOf.get(content)!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
}

function bertTemplate(cls: string, clsId: number, sep: string, sepId: number): TemplateProcessingJson {
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
    pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
    special_tokens: {
      [cls]: { id: cls, ids: [clsId], tokens: [cls] },
      [sep]: { id: sep, ids: [sepId], tokens: [sep] },
    },
  };
}
