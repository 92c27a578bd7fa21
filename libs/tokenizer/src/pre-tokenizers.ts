// Pre-tokenizers split normalized text into words; the model then tokenizes each word on its own.
// Encoding passes every word as (model text, normalized range, unit map) so offsets can be traced
// back; training only needs the word strings.
import { BYTE_TO_CHAR, gpt2Split, toByteLevel } from './byte-level';
import type { NormalizedString } from './normalized-string';
import type { PreTokenizerJson } from './tokenizer-json';
import { PUNCTUATION, WHITESPACE, charFlags } from './unicode';

/**
 * Receives one word: `text` is what the model sees; it covers normalized units [from, to). `map`,
 * when not null, gives for each unit of `text` the normalized unit its character came from
 * (byte-level words differ from the normalized text); null means text unit k is unit from + k.
 */
export type EmitPreToken = (text: string, from: number, to: number, map: Int32Array | null) => void;

export interface PreTokenizer {
  preTokenize(ns: NormalizedString, emit: EmitPreToken): void;
  /** The words of `text`, for training (same words as `preTokenize`, without offsets). */
  splitWords(text: string, emit: (word: string) => void): void;
  toJSON(): PreTokenizerJson;
}

/** Splits on whitespace (dropped) and, with `punctuation`, isolates punctuation characters. */
function splitUnits(text: string, punctuation: boolean, emit: (from: number, to: number) => void): void {
  let start = -1;
  const n = text.length;
  for (let i = 0; i < n;) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        cp = (cp - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const flags = charFlags(cp);
    if (flags & WHITESPACE) {
      if (start >= 0) emit(start, i);
      start = -1;
    } else if (punctuation && flags & PUNCTUATION) {
      if (start >= 0) emit(start, i);
      emit(i, i + width);
      start = -1;
    } else if (start < 0) {
      start = i;
    }
    i += width;
  }
  if (start >= 0) emit(start, n);
}

/** BERT's pre-tokenizer: split on whitespace, isolate punctuation (Hugging Face `BertPreTokenizer`). */
export function createBertPreTokenizer(): PreTokenizer {
  return {
    preTokenize(ns, emit) {
      const text = ns.text;
      splitUnits(text, true, (from, to) => emit(text.slice(from, to), from, to, null));
    },
    splitWords(text, emit) {
      splitUnits(text, true, (from, to) => emit(text.slice(from, to)));
    },
    toJSON: () => ({ type: 'BertPreTokenizer' }),
  };
}

/** Splits on whitespace only (Hugging Face `WhitespaceSplit`). */
export function createWhitespaceSplitPreTokenizer(): PreTokenizer {
  return {
    preTokenize(ns, emit) {
      const text = ns.text;
      splitUnits(text, false, (from, to) => emit(text.slice(from, to), from, to, null));
    },
    splitWords(text, emit) {
      splitUnits(text, false, (from, to) => emit(text.slice(from, to)));
    },
    toJSON: () => ({ type: 'WhitespaceSplit' }),
  };
}

export interface ByteLevelOptions {
  /** Prepend a space when the text does not start with one, so the first word looks like the others. Default false. */
  addPrefixSpace?: boolean;
  /** Split with the GPT-2 pattern before mapping to bytes. Default true. */
  useRegex?: boolean;
  /** Post-processing: leave leading/trailing spaces out of token offsets. Default true. */
  trimOffsets?: boolean;
}

/** GPT-2's byte-level pre-tokenizer (Hugging Face `ByteLevel`). */
export function createByteLevelPreTokenizer(options: ByteLevelOptions = {}): PreTokenizer {
  const addPrefixSpace = options.addPrefixSpace ?? false;
  const useRegex = options.useRegex ?? true;
  const trimOffsets = options.trimOffsets ?? true;
  const scratch: number[] = [];
  const prefixed = (text: string): string =>
    addPrefixSpace && text.length > 0 && text.charCodeAt(0) !== 32 ? ` ${text}` : text;
  return {
    preTokenize(ns, emit) {
      const s = prefixed(ns.text);
      const shift = s.length - ns.text.length;
      const word = (a: number, b: number): void => {
        scratch.length = 0;
        const out = toByteLevel(s, a, b, scratch);
        let map: Int32Array | null = null;
        if (a < shift || out.length !== b - a) {
          map = new Int32Array(out.length);
          for (let k = 0; k < out.length; k++) map[k] = Math.max(0, scratch[k]! - shift);
        }
        emit(out, Math.max(0, a - shift), b - shift, map);
      };
      if (useRegex) gpt2Split(s, word);
      else if (s.length > 0) word(0, s.length);
    },
    splitWords(text, emit) {
      const s = prefixed(text);
      if (useRegex) gpt2Split(s, (a, b) => emit(toByteLevel(s, a, b, null)));
      else if (s.length > 0) emit(toByteLevel(s, 0, s.length, null));
    },
    toJSON: () => byteLevelJson({ addPrefixSpace, useRegex, trimOffsets }),
  };
}

export function byteLevelJson(options: Required<ByteLevelOptions>) {
  return {
    type: 'ByteLevel' as const,
    add_prefix_space: options.addPrefixSpace,
    trim_offsets: options.trimOffsets,
    use_regex: options.useRegex,
  };
}

/** The byte-level character for ' ' ('Ġ'). */
export const BYTE_LEVEL_SPACE = BYTE_TO_CHAR[32]!;

export function preTokenizerFromJSON(json: PreTokenizerJson): PreTokenizer {
  switch (json.type) {
    case 'BertPreTokenizer':
      return createBertPreTokenizer();
    case 'WhitespaceSplit':
      return createWhitespaceSplitPreTokenizer();
    case 'ByteLevel':
      return createByteLevelPreTokenizer({
        addPrefixSpace: json.add_prefix_space,
        useRegex: json.use_regex,
        trimOffsets: json.trim_offsets,
      });
    default:
      throw new Error(`unsupported pre_tokenizer type ${JSON.stringify((json as { type: unknown }).type)}`);
  }
}
