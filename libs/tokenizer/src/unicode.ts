// Character classes as the Hugging Face Rust implementation sees them, looked up in one flat table.
// The table is built once from the generated range lists (see scripts/generate-unicode-tables.cjs).
import {
  CJK_RANGES,
  CLEAN_WHITESPACE_RANGES,
  COMBINING_MARK_RANGES,
  CONTROL_RANGES,
  LETTER_RANGES,
  NONSPACING_MARK_RANGES,
  NUMBER_RANGES,
  PUNCTUATION_RANGES,
  REGEX_SPACE_RANGES,
  WHITESPACE_RANGES,
} from './unicode-tables';

/** Removed by BERT clean_text (control/format/private-use characters, U+FFFD, NUL). */
export const CONTROL = 1;
/** Turned into ' ' by BERT clean_text. */
export const CLEAN_WHITESPACE = 2;
/** Rust `char::is_whitespace`: split points of the BERT pre-tokenizer. */
export const WHITESPACE = 4;
/** Isolated by the BERT pre-tokenizer (ASCII punctuation and Unicode P* as of HF's tables). */
export const PUNCTUATION = 8;
/** CJK ideographs that BERT surrounds with spaces. */
export const CJK = 16;
/** Removed by BERT strip_accents after NFD (Mn). */
export const NONSPACING_MARK = 32;
/** Removed by the StripAccents normalizer (Mn, Mc, Me). */
export const COMBINING_MARK = 64;
/** \p{L} in the GPT-2 pre-tokenization regex. */
export const LETTER = 128;
/** \p{N} in the GPT-2 pre-tokenization regex. */
export const NUMBER = 256;
/** \s in the GPT-2 pre-tokenization regex. */
export const REGEX_SPACE = 512;

const table = new Uint16Array(0x110000);

function fill(encoded: string, flag: number): void {
  if (encoded === '') return;
  for (const range of encoded.split(',')) {
    const dash = range.indexOf('-');
    const start = parseInt(dash < 0 ? range : range.slice(0, dash), 36);
    const end = dash < 0 ? start : parseInt(range.slice(dash + 1), 36);
    for (let cp = start; cp <= end; cp++) table[cp] = table[cp]! | flag;
  }
}

fill(CONTROL_RANGES, CONTROL);
fill(CLEAN_WHITESPACE_RANGES, CLEAN_WHITESPACE);
fill(WHITESPACE_RANGES, WHITESPACE);
fill(PUNCTUATION_RANGES, PUNCTUATION);
fill(CJK_RANGES, CJK);
fill(NONSPACING_MARK_RANGES, NONSPACING_MARK);
fill(COMBINING_MARK_RANGES, COMBINING_MARK);
fill(LETTER_RANGES, LETTER);
fill(NUMBER_RANGES, NUMBER);
fill(REGEX_SPACE_RANGES, REGEX_SPACE);

/** Class flags of a code point (bitwise OR of the constants above). */
export function charFlags(cp: number): number {
  return table[cp]!;
}

/** Code point at UTF-16 index `i` (which must not be a low surrogate of a pair). */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
  }
  return c;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Maps UTF-16 offsets of `text` to code point offsets (what Hugging Face reports: Rust `char`
 * indices). Returns null when the text has no surrogates, where both are the same.
 */
export function codePointIndex(text: string): Int32Array | null {
  if (!SURROGATE.test(text)) return null;
  const n = text.length;
  const index = new Int32Array(n + 1);
  let cp = 0;
  for (let i = 0; i < n; i++) {
    index[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) index[++i] = cp;
    }
    cp++;
  }
  index[n] = cp;
  return index;
}

/** Number of code points in `s`. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}
