// Trains a GPT-2 style byte-level BPE: text is split by the GPT-2 pattern, every byte is a symbol
// (all 256 are in the initial alphabet, so nothing is ever unknown), merges are learned as in BPE.
import { byteLevelAlphabet } from '../byte-level';
import type { Normalizer } from '../normalizers';
import { byteLevelJson, createByteLevelPreTokenizer } from '../pre-tokenizers';
import type { TokenizerJson } from '../tokenizer-json';
import { trainBpe } from './bpe-trainer';
import { type UnicodeNormalization, simpleNormalizer } from './normalizer-options';
import type { TrainControl } from './progress';
import { specialAddedTokens, validate } from './train-wordpiece';
import { type Documents, countWords, withCounts } from './word-counter';

export interface ByteLevelBpeTrainOptions extends TrainControl {
  /** Target vocabulary size, special tokens and the 256 byte symbols included. Default 30000. */
  vocabSize?: number;
  /** A pair must be seen this many times to be merged. Default 2. */
  minFrequency?: number;
  /** Special tokens, given the first ids. Default RoBERTa's <s> <pad> </s> <unk> <mask>. */
  specialTokens?: readonly string[];
  /** Prepend a space to texts that do not start with one. Default false. */
  addPrefixSpace?: boolean;
  /** Trim spaces out of token offsets when encoding. Default true. */
  trimOffsets?: boolean;
  /** Lowercase before splitting. Default false. */
  lowercase?: boolean;
  /** Strip accents (NFD + remove combining marks). Default false. */
  stripAccents?: boolean;
  /** Unicode normalization form. Default none. */
  unicodeNormalization?: UnicodeNormalization | null;
  /** Replaces the normalizer the options above describe. */
  normalizer?: Normalizer | null;
}

export const DEFAULT_BPE_SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;

export async function trainByteLevelBpe(
  documents: Documents,
  options: ByteLevelBpeTrainOptions = {},
): Promise<TokenizerJson> {
  const vocabSize = options.vocabSize ?? 30000;
  const specialTokens = options.specialTokens ?? DEFAULT_BPE_SPECIAL_TOKENS;
  validate(vocabSize, options.minFrequency, specialTokens);
  const byteLevel = {
    addPrefixSpace: options.addPrefixSpace ?? false,
    trimOffsets: options.trimOffsets ?? true,
    useRegex: true,
  };
  const normalizer =
    options.normalizer !== undefined
      ? options.normalizer
      : simpleNormalizer({
          lowercase: options.lowercase ?? false,
          stripAccents: options.stripAccents ?? false,
          unicodeNormalization: options.unicodeNormalization ?? null,
        });
  const preTokenizer = createByteLevelPreTokenizer(byteLevel);
  const counted = await countWords(documents, normalizer, preTokenizer, options, vocabSize);
  const { counts } = counted;
  const { vocab, merges } = await trainBpe(
    counts,
    {
      vocabSize,
      minFrequency: options.minFrequency ?? 2,
      specialTokens,
      limitAlphabet: null,
      initialAlphabet: byteLevelAlphabet(),
      continuingSubwordPrefix: null,
    },
    withCounts(options, counted),
  );
  const idOf = new Map(vocab.map((t, i) => [t, i] as const));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialAddedTokens(specialTokens, idOf),
    normalizer: normalizer?.toJSON() ?? null,
    pre_tokenizer: byteLevelJson(byteLevel),
    post_processor: byteLevelJson(byteLevel),
    decoder: byteLevelJson(byteLevel),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i] as const)),
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
