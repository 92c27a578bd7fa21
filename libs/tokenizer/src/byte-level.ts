// GPT-2's byte-level machinery: every UTF-8 byte is shown as one printable character (so a
// byte-level BPE vocabulary needs only 256 base symbols), and the GPT-2 pre-tokenization pattern
// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` written as a scanner
// over the character table (faster than the regex, and on the same Unicode tables as Hugging Face).
import { LETTER, NUMBER, REGEX_SPACE, charFlags } from './unicode';

/** BYTE_TO_CHAR[b] is the printable character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const chars = new Array<string>(256);
  for (const b of bytes) chars[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (chars[b] === undefined) chars[b] = String.fromCharCode(256 + n++);
  }
  return chars;
})();

/** The inverse of BYTE_TO_CHAR, keyed by char code. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b] as const),
);

/** The 256 byte characters, sorted: the initial alphabet of a byte-level BPE. */
export function byteLevelAlphabet(): string[] {
  return [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
}

const codes: number[] = [];

/**
 * Byte-level form of s[from, to). When `map` is given, map[k] receives for output unit k the index in
 * `s` of the character it came from; returns the string.
 */
export function toByteLevel(s: string, from: number, to: number, map: number[] | null): string {
  codes.length = 0;
  for (let i = from; i < to; i++) {
    let cp = s.charCodeAt(i);
    const at = i;
    if (cp < 0x80) {
      codes.push(BYTE_TO_CHAR[cp]!.charCodeAt(0));
      if (map !== null) map.push(at);
      continue;
    }
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < to) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        cp = (cp - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    // Lone surrogates are not valid UTF-8; encode them as U+FFFD like Rust's lossy conversion.
    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
    const before = codes.length;
    if (cp < 0x800) {
      codes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      codes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    } else {
      codes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    }
    for (let k = before; k < codes.length; k++) {
      codes[k] = BYTE_TO_CHAR[codes[k]!]!.charCodeAt(0);
      if (map !== null) map.push(at);
    }
  }
  let out = '';
  for (let k = 0; k < codes.length; k += 4096) {
    out += String.fromCharCode.apply(null, codes.slice(k, k + 4096));
  }
  return out;
}

const SPACE = 0;
const LETTERS = 1;
const NUMBERS = 2;
const OTHER = 3;

function classOf(cp: number): number {
  const flags = charFlags(cp);
  if (flags & LETTER) return LETTERS;
  if (flags & NUMBER) return NUMBERS;
  if (flags & REGEX_SPACE) return SPACE;
  return OTHER;
}

function cpAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** Splits s into GPT-2 pre-tokens, calling emit(start, end) with UTF-16 ranges. */
export function gpt2Split(s: string, emit: (start: number, end: number) => void): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 39 && i + 1 < n) {
      const c1 = s.charCodeAt(i + 1);
      if (c1 === 115 || c1 === 116 || c1 === 109 || c1 === 100) {
        emit(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < n) {
        const c2 = s.charCodeAt(i + 2);
        if ((c2 === 101 && (c1 === 114 || c1 === 118)) || (c1 === 108 && c2 === 108)) {
          emit(i, i + 3);
          i += 3;
          continue;
        }
      }
    }
    let j = i;
    let cls = classOf(cpAt(s, i));
    if (c === 32 && i + 1 < n) {
      const next = classOf(cpAt(s, i + 1));
      if (next !== SPACE) {
        j = i + 1;
        cls = next;
      }
    }
    if (cls !== SPACE) {
      // ' ?' then a run of one class.
      while (j < n) {
        const cp = cpAt(s, j);
        if (classOf(cp) !== cls) break;
        j += cp > 0xffff ? 2 : 1;
      }
      emit(i, j);
      i = j;
      continue;
    }
    // Whitespace: \s+(?!\S) leaves the last space for the next word; \s+ takes a single one.
    let k = i;
    while (k < n && classOf(cpAt(s, k)) === SPACE) k++;
    const end = k === n ? n : k - i >= 2 ? k - 1 : k;
    emit(i, end);
    i = end;
  }
}
