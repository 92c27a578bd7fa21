// Normalizers: the first stage of the pipeline. Each one works in two modes: `normalize` keeps the
// alignments to the original text (encoding needs them for offsets) and `normalizeText` only
// produces the text (training, where speed matters and offsets do not).
import { mapCodePoints, type NormalizedString } from './normalized-string';
import type { NormalizerJson } from './tokenizer-json';
import { CJK, CLEAN_WHITESPACE, COMBINING_MARK, CONTROL, NONSPACING_MARK, charFlags } from './unicode';
import { normalizeAligned, type UnicodeForm } from './unicode-forms';
import {
  CJK_RANGES,
  CLEAN_WHITESPACE_RANGES,
  COMBINING_MARK_RANGES,
  CONTROL_RANGES,
  NONSPACING_MARK_RANGES,
} from './unicode-tables';

export interface Normalizer {
  /** Normalizes, tracking for every output character the span of the original it came from. */
  normalize(input: NormalizedString): NormalizedString;
  /** Normalizes the text alone (same result as `normalize(...).text`, faster). */
  normalizeText(text: string): string;
  /** The `normalizer` entry of tokenizer.json. */
  toJSON(): NormalizerJson;
}

/** A global regex matching one code point of the given generated class. */
function classRegex(encoded: string): RegExp {
  const parts = encoded.split(',').map((range) => {
    const [a, b] = range.split('-');
    const from = `\\u{${parseInt(a!, 36).toString(16)}}`;
    return b === undefined ? from : `${from}-\\u{${parseInt(b, 36).toString(16)}}`;
  });
  return new RegExp(`[${parts.join('')}]`, 'gu');
}

const CONTROL_RE = classRegex(CONTROL_RANGES);
const CLEAN_WHITESPACE_RE = classRegex(CLEAN_WHITESPACE_RANGES);
const CLEAN_ANY_RE = new RegExp(`${CONTROL_RE.source}|${CLEAN_WHITESPACE_RE.source}`, 'u');
const CJK_RE = classRegex(CJK_RANGES);
const NONSPACING_RE = classRegex(NONSPACING_MARK_RANGES);
const COMBINING_RE = classRegex(COMBINING_MARK_RANGES);
const HAS_NONSPACING = new RegExp(NONSPACING_RE.source, 'u');
const HAS_COMBINING = new RegExp(COMBINING_RE.source, 'u');
const ASCII_ONLY = /^[\u0000-\u007f]*$/; // eslint-disable-line no-control-regex
const CAPITAL_SIGMA = /\u03a3/g;

function cleanTextAligned(ns: NormalizedString): NormalizedString {
  if (!CLEAN_ANY_RE.test(ns.text)) return ns;
  return mapCodePoints(ns, (cp) => {
    const flags = charFlags(cp);
    if (flags & CONTROL) return '';
    if (flags & CLEAN_WHITESPACE) return ' ';
    return undefined;
  });
}

function cleanText(text: string): string {
  if (!CLEAN_ANY_RE.test(text)) return text;
  return text.replace(CONTROL_RE, '').replace(CLEAN_WHITESPACE_RE, ' ');
}

function padChineseAligned(ns: NormalizedString): NormalizedString {
  if (ASCII_ONLY.test(ns.text)) return ns;
  return mapCodePoints(ns, (cp, ch) => (charFlags(cp) & CJK ? ` ${ch} ` : undefined));
}

function padChinese(text: string): string {
  if (ASCII_ONLY.test(text)) return text;
  return text.replace(CJK_RE, ' $& ');
}

function removeFlagged(ns: NormalizedString, flag: number, present: RegExp): NormalizedString {
  if (!present.test(ns.text)) return ns;
  return mapCodePoints(ns, (cp) => (charFlags(cp) & flag ? '' : undefined));
}

// Rust lowercases one `char` at a time, so a final capital sigma becomes 'σ', never 'ς'.
const lowerCache = new Map<number, string>();
function lowerChar(cp: number, ch: string): string | undefined {
  let lower = lowerCache.get(cp);
  if (lower === undefined) {
    lower = ch.toLowerCase();
    lowerCache.set(cp, lower);
  }
  return lower === ch ? undefined : lower;
}

function lowercaseAligned(ns: NormalizedString): NormalizedString {
  const text = ns.text.replace(CAPITAL_SIGMA, '\u03c3');
  const lower = text.toLowerCase();
  if (lower === ns.text) return ns;
  // Same length: every unit still maps to the same source (only İ and a few others grow).
  if (lower.length === text.length) return { ...ns, text: lower };
  return mapCodePoints(ns, lowerChar);
}

function lowercase(text: string): string {
  return text.replace(CAPITAL_SIGMA, '\u03c3').toLowerCase();
}

export interface BertNormalizerOptions {
  /** Remove control characters and turn every kind of whitespace into ' '. Default true. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs so each becomes a word. Default true. */
  handleChineseChars?: boolean;
  /** Strip accents (NFD, then drop non-spacing marks). Default: same as `lowercase`. */
  stripAccents?: boolean | null;
  /** Lowercase. Default true. */
  lowercase?: boolean;
}

/** BERT's normalizer, identical to Hugging Face's `BertNormalizer`. */
export function createBertNormalizer(options: BertNormalizerOptions = {}): Normalizer {
  const clean = options.cleanText ?? true;
  const chinese = options.handleChineseChars ?? true;
  const lower = options.lowercase ?? true;
  const strip = options.stripAccents ?? lower;
  return {
    normalize(input) {
      let ns = input;
      if (clean) ns = cleanTextAligned(ns);
      if (chinese) ns = padChineseAligned(ns);
      if (strip && !ASCII_ONLY.test(ns.text))
        ns = removeFlagged(normalizeAligned(ns, 'NFD'), NONSPACING_MARK, HAS_NONSPACING);
      if (lower) ns = lowercaseAligned(ns);
      return ns;
    },
    normalizeText(input) {
      let text = input;
      if (clean) text = cleanText(text);
      if (chinese) text = padChinese(text);
      if (strip && !ASCII_ONLY.test(text)) text = text.normalize('NFD').replace(NONSPACING_RE, '');
      if (lower) text = lowercase(text);
      return text;
    },
    toJSON: () => ({
      type: 'BertNormalizer',
      clean_text: clean,
      handle_chinese_chars: chinese,
      strip_accents: options.stripAccents ?? null,
      lowercase: lower,
    }),
  };
}

/** Lowercases one character at a time (Hugging Face `Lowercase`). */
export function createLowercaseNormalizer(): Normalizer {
  return { normalize: lowercaseAligned, normalizeText: lowercase, toJSON: () => ({ type: 'Lowercase' }) };
}

/** Removes combining marks (Hugging Face `StripAccents`); put an NFD/NFKD normalizer before it. */
export function createStripAccentsNormalizer(): Normalizer {
  return {
    normalize: (ns) => (ASCII_ONLY.test(ns.text) ? ns : removeFlagged(ns, COMBINING_MARK, HAS_COMBINING)),
    normalizeText: (text) => (ASCII_ONLY.test(text) ? text : text.replace(COMBINING_RE, '')),
    toJSON: () => ({ type: 'StripAccents' }),
  };
}

/** One of the Unicode normalization forms (Hugging Face `NFC`, `NFD`, `NFKC`, `NFKD`). */
export function createUnicodeNormalizer(form: UnicodeForm): Normalizer {
  return {
    normalize: (ns) => normalizeAligned(ns, form),
    normalizeText: (text) => (ASCII_ONLY.test(text) ? text : text.normalize(form)),
    toJSON: () => ({ type: form }),
  };
}

/** Applies normalizers in order (Hugging Face `Sequence`). */
export function createSequenceNormalizer(normalizers: readonly Normalizer[]): Normalizer {
  return {
    normalize: (ns) => normalizers.reduce((acc, n) => n.normalize(acc), ns),
    normalizeText: (text) => normalizers.reduce((acc, n) => n.normalizeText(acc), text),
    toJSON: () => ({ type: 'Sequence', normalizers: normalizers.map((n) => n.toJSON()) }),
  };
}

/** Builds a normalizer from its tokenizer.json description. */
export function normalizerFromJSON(json: NormalizerJson): Normalizer {
  switch (json.type) {
    case 'BertNormalizer':
      return createBertNormalizer({
        cleanText: json.clean_text,
        handleChineseChars: json.handle_chinese_chars,
        stripAccents: json.strip_accents,
        lowercase: json.lowercase,
      });
    case 'Lowercase':
      return createLowercaseNormalizer();
    case 'StripAccents':
      return createStripAccentsNormalizer();
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return createUnicodeNormalizer(json.type);
    case 'Sequence':
      return createSequenceNormalizer(json.normalizers.map(normalizerFromJSON));
    default:
      throw new Error(`unsupported normalizer type ${JSON.stringify((json as { type: unknown }).type)}`);
  }
}
