// @headstart/tokenizer: deterministic, streaming WordPiece and byte-level BPE training that writes
// Hugging Face tokenizer.json files, and an encoder that reproduces Hugging Face's ids and offsets.
export { trainWordPiece, DEFAULT_WORDPIECE_SPECIAL_TOKENS } from './train/train-wordpiece';
export type { WordPieceTrainOptions } from './train/train-wordpiece';
export { trainByteLevelBpe, DEFAULT_BPE_SPECIAL_TOKENS } from './train/train-byte-level-bpe';
export type { ByteLevelBpeTrainOptions } from './train/train-byte-level-bpe';
export type { UnicodeNormalization } from './train/normalizer-options';
export type { TrainProgress, TrainControl } from './train/progress';
export type { Documents } from './train/word-counter';
export { serializeTokenizer } from './tokenizer-json';
export type {
  TokenizerJson,
  NormalizerJson,
  PreTokenizerJson,
  PostProcessorJson,
  DecoderJson,
  ModelJson,
  WordPieceModelJson,
  BpeModelJson,
  AddedTokenJson,
} from './tokenizer-json';
export { Tokenizer, loadTokenizer } from './tokenizer';
export type { TokenizerOptions, EncodeOptions, EncodeBatchOptions } from './tokenizer';
export type { Encoding, TruncationStrategy } from './encoding';
export {
  createBertNormalizer,
  createLowercaseNormalizer,
  createStripAccentsNormalizer,
  createUnicodeNormalizer,
  createSequenceNormalizer,
  normalizerFromJSON,
} from './normalizers';
export type { Normalizer, BertNormalizerOptions } from './normalizers';
export {
  createBertPreTokenizer,
  createByteLevelPreTokenizer,
  createWhitespaceSplitPreTokenizer,
  preTokenizerFromJSON,
} from './pre-tokenizers';
export type { PreTokenizer, ByteLevelOptions, EmitPreToken } from './pre-tokenizers';
export { original as originalString } from './normalized-string';
export type { NormalizedString } from './normalized-string';
export { byteLevelAlphabet } from './byte-level';
