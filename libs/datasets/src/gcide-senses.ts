import type { GcideEntry } from './gcide';

/** Where a sense came from: the headword's own definition, a numbered sense, or a `{phrase}` under it. */
export type GcideSenseKind = 'header' | 'numbered' | 'phrase';

/** One definition of a GCIDE entry, as plain text. */
export interface GcideSense {
  /** The headword, or the phrase that a phrase sense defines. */
  readonly term: string;
  readonly kind: GcideSenseKind;
  /**
   * The definition: markup, etymology, pronunciation, citations and quotations removed; subject marks
   * such as "(Zool.)" kept as written (accents decoded: "(Zoöl.)").
   */
  readonly text: string;
}

interface RawSense {
  readonly term: string;
  readonly kind: GcideSenseKind | 'skip';
  readonly lines: string[];
}

// A line that is one bracketed group: a source marker such as "[1913 Webster]" or "[WordNet 1.5 +PJC]",
// or a usage label alone on its line.
const BRACKET_LINE = /^\[[^\]]*\]$/;
// Synonyms, notes and usage essays follow the senses; they are not definitions.
const COMMENTARY = /^(?:Syn|Note|Usage|Antonym|Also See|See|Sources)\s*:/;
const NUMBERED = /^(\d{1,2})\.\s+(?:\1\s+)?/;
const SUB_SENSE = /^\([a-z]\)\s/;

/**
 * The senses of one entry, in order. Works line by line, because the layout is what separates the parts:
 * the headword line starts at column 0 and may run on at indent 3 (with an unnumbered definition);
 * numbered senses ("1. ") start at indent 3 and run on at indent 6, sub-senses ("(a) ") run on 4 columns
 * in, and a phrase ("{Sea ear} ...") starts at indent 3 after a blank line (a brace at indent 3 without
 * one is a run-on line). A quotation sits about 6 columns further in than the text it illustrates (9 under
 * a headword, 12 under a numbered sense, 16 under a sub-sense), as does its right-aligned "--Author.".
 * A sense runs up to the next numbered sense, phrase or commentary (Syn:, Note:, Usage:), across blank
 * lines and quotations, so sub-senses "(a) ... (b) ..." stay with the sense they belong to.
 */
export function entrySenses(entry: GcideEntry): GcideSense[] {
  const lines = entry.text.split('\n');
  const headword = headwordOf(lines[0] ?? '') || entry.headword;
  const raw: RawSense[] = [];
  let current: RawSense = { term: headword, kind: 'header', lines: [lines[0] ?? ''] };
  // Column where the current sense's text runs on; a quotation sits about 6 columns further in.
  let textIndent = 3;
  let afterBlank = false;
  const start = (next: RawSense, indent: number): void => {
    raw.push(current);
    current = next;
    textIndent = indent;
  };
  for (const line of lines.slice(1)) {
    const body = line.trim();
    const indent = line.length - line.trimStart().length;
    const blank = !body;
    if (blank || BRACKET_LINE.test(body)) {
      afterBlank ||= blank;
      continue;
    }
    if (indent <= 8 && NUMBERED.test(body)) {
      start({ term: headword, kind: 'numbered', lines: [body.replace(NUMBERED, '')] }, indent + 3);
    } else if (indent <= 4 && afterBlank && body.startsWith('{')) {
      start({ term: body.slice(1, body.indexOf('}')), kind: 'phrase', lines: [body] }, indent + 3);
    } else if (indent <= 4 && COMMENTARY.test(body)) {
      start({ term: headword, kind: 'skip', lines: [] }, indent);
    } else if (current.kind !== 'skip' && indent < textIndent + 5) {
      if (indent <= 8 && SUB_SENSE.test(body)) textIndent = indent + 4;
      current.lines.push(body);
    }
    afterBlank = false;
  }
  raw.push(current);
  return raw.flatMap((sense) => {
    if (sense.kind === 'skip') return [];
    const text = senseText(sense.kind, joinLines(sense.lines));
    return text ? [{ term: decodeAccents(sense.term), kind: sense.kind, text }] : [];
  });
}

/** "Abalone \Ab`a*lo"ne\ ..." → "Abalone". */
export function headwordOf(firstLine: string): string {
  const cut = firstLine.indexOf('\\');
  return decodeAccents((cut >= 0 ? firstLine.slice(0, cut) : firstLine).trim());
}

/** Lines of one sense joined; a line ending in a hyphenated word part joins the next without a space. */
function joinLines(lines: readonly string[]): string {
  return lines.reduce((text, line) => (/[A-Za-z]-$/.test(text) ? text + line : `${text} ${line}`), '').trim();
}

function senseText(kind: GcideSenseKind, raw: string): string {
  let text = raw;
  if (kind === 'header') text = afterPronunciation(text);
  if (kind === 'phrase') text = text.replace(/^(?:\{[^}]*\}\s*(?:,|or\b|and\b)?\s*)+/, '');
  text = removeBrackets(decodeAccents(text));
  text = text.replace(kind === 'numbered' ? PART_OF_SPEECH : GRAMMAR, '');
  return cleanDefinition(text);
}

/**
 * Drops the headword line's head: every form with its \pronunciation\ and the respelling in
 * parentheses after the last one. What is left starts at the part of speech.
 */
function afterPronunciation(header: string): string {
  const cut = header.lastIndexOf('\\');
  if (cut < 0) return header.slice(header.indexOf(' ') + 1 || header.length);
  const rest = header.slice(cut + 1);
  const respelling = /^\s*\(([^()]|\([^()]*\))*\)/.exec(rest);
  // "(Zool.)" right after the pronunciation is a subject mark, not a respelling.
  return respelling && !/^\s*\([A-Z][A-Za-z.]*(?: (?:&|and)? ?[A-Z][A-Za-z.]*)*\)$/.test(respelling[0])
    ? rest.slice(respelling[0].length)
    : rest;
}

const POS_WORDS = [
  'n|a|v|t|i|adv|adj|prep|conj|interj|pron|pl|sing|imp|p|pr|vb|prop|superl|compar|pref|suff|obs',
  'dial|fem|masc|abbr|pers|poss|pres|sup|part|inf|def|indef|art|num|ord|contr|pos|aux|obj|nom',
].join('|');
const GRAMMAR_WORD = `[\\s,;:&.]+|(?:${POS_WORDS})\\.(?=[\\s,;:&]|$)|or\\b`;
/** The grammar at the head of a numbered sense: "pl.", "v. i.". */
const PART_OF_SPEECH = new RegExp(`^(?:${GRAMMAR_WORD})+`);
/**
 * The grammar at the head of a headword's or a phrase's definition: "n.", "v. t.", "p. p. & a.", and
 * inflected forms with their respellings, as in "n.; pl. {Chalcedonies} (-nĭz)" or "E. pl. {Abacuses}".
 */
const GRAMMAR = new RegExp(
  `^(?:${GRAMMAR_WORD}|\\{[^}]*\\}|\\((?=[-a-z"*\`'\u00c0-\u024f])[^()]*\\)|(?:E|L|F|Gr|It|Sp|NL|LL)\\.(?=\\s+(?:pl\\.|\\{)))+`,
);

/** Removes every [bracketed group], nested ones included: etymologies, usage labels, source markers. */
export function removeBrackets(text: string): string {
  let out = '';
  let depth = 0;
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

const COMBINING: Readonly<Record<string, string>> = {
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '"': '\u0308',
  '~': '\u0303',
  ',': '\u0327',
  '=': '\u0304',
};
const LIGATURES: Readonly<Record<string, string>> = { ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', deg: '°' };

/** GCIDE's accent codes ("['e]", "[\"o]", "[ae]") as Unicode; unknown codes are left for removeBrackets. */
export function decodeAccents(text: string): string {
  return text
    .replace(/\[(['`^"~,=])([A-Za-z])\]/g, (_m, mark: string, letter: string) =>
      `${letter}${COMBINING[mark] ?? ''}`.normalize('NFC'),
    )
    .replace(/\[(ae|AE|oe|OE|deg)\]/g, (_m, code: string) => LIGATURES[code] ?? '');
}

/**
 * Plain text of a definition: {cross-references} unbraced; a quoted example with its "--Author."
 * citation, anything after a citation, and run-on derivatives ("-- A*ba"sic, a.", respelled) dropped;
 * source markers split over two lines and sub-sense letters "(a)" dropped; whitespace collapsed and
 * leading punctuation trimmed.
 */
export function cleanDefinition(text: string): string {
  return text
    .replace(/[{}]/g, '')
    .replace(/(?:\s--)?\s+\p{L}[^\s,]*[*`"][^\s,]*[,\s]*(?:\([^()]*\)[,\s]*)?(?:[a-z]{1,6}\.\s*)+[^]*$/u, '')
    .replace(/\s*(?:1913 Webster|WordNet 1\.\d|PJC)[^\]]*\]/g, '')
    .replace(/\]/g, '')
    .replace(/\s*"[^"]*"\s*--(?=[A-Z])[^]*$/, '')
    .replace(/\s*--(?=[A-Z])[^]*$/, '')
    .replace(/(^|\s)\([a-z]\)(?=\s)/g, '$1')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:.]+/, '')
    .trim();
}
