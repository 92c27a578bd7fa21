/**
 * Abbreviations after which a period does not end a sentence (compared lowercased, without the period).
 * Titles, months, and the forms State of the Union addresses use ("U.S.", "No. 5", "Gen.").
 */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms messrs dr prof rev hon sr jr st gen col maj capt lt sgt adm gov sen rep pres supt com co ' +
    'corp inc ltd bros no nos vol art sec ch pp p cf viz vs al ft mt jan feb mar apr jun jul aug sept sep ' +
    'oct nov dec u.s u.s.a u.k d.c e.g i.e a.m p.m esq approx dept est fig ibid op'
  ).split(' '),
);

// Terminal punctuation, then closing quotes/brackets, then whitespace: a candidate boundary.
const BOUNDARY = /([.!?]+)(["'”’)\]]*)(\s+)/g;

/**
 * Splits running text into sentences. A boundary is terminal punctuation (. ! ?) plus any closing quotes
 * or brackets, followed by whitespace and then something that can start a sentence (an uppercase letter,
 * a digit, or an opening quote/bracket). A period does not end a sentence after a known abbreviation, a
 * single letter (an initial, "John Q. Adams") or a dotted acronym ("U.S."); "etc." is deliberately not in
 * that list, since it usually does end a sentence. Whitespace inside sentences is kept as is; sentences
 * are trimmed; empty ones are dropped.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of text.matchAll(BOUNDARY)) {
    const punctuation = match[1] ?? '';
    const end = (match.index ?? 0) + punctuation.length + (match[2] ?? '').length;
    const next = text.slice(end + (match[3] ?? '').length, end + (match[3] ?? '').length + 2);
    if (!startsSentence(next)) continue;
    if (punctuation === '.' && !(match[2] ?? '') && isAbbreviation(text.slice(start, match.index ?? 0))) {
      continue;
    }
    const sentence = text.slice(start, end).trim();
    if (sentence) sentences.push(sentence);
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

function startsSentence(next: string): boolean {
  return /^["'“‘([]?[A-Z0-9]/.test(next);
}

/** Whether the word right before a period is an abbreviation or an initial. */
function isAbbreviation(before: string): boolean {
  const word = /([A-Za-z][A-Za-z.]*)$/.exec(before)?.[1];
  if (!word) return false;
  const bare = word.toLowerCase();
  if (ABBREVIATIONS.has(bare)) return true;
  if (/^[A-Z]$/.test(word)) return true; // An initial: "Harry S. Truman".
  return /^([a-z]\.)+[a-z]$/i.test(word); // Dotted acronyms: "U.S.S.R".
}

export interface SentenceGroupOptions {
  /** Close a group once it reaches this many characters. Default 3000. */
  targetChars?: number;
  /** A trailing group shorter than this joins the previous one. Default 1000. */
  minChars?: number;
  /** What joins two pieces of a group. Default ' ' (sentences); '\n\n' groups paragraphs. */
  separator?: string;
}

/**
 * Greedily packs consecutive sentences (or paragraphs, or lines) into groups of about `targetChars`
 * characters, joined by `separator`. A piece is never cut; a short tail merges backwards.
 */
export function groupSentences(sentences: readonly string[], options: SentenceGroupOptions = {}): string[] {
  const targetChars = options.targetChars ?? 3000;
  const minChars = options.minChars ?? 1000;
  const separator = options.separator ?? ' ';
  const groups: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const sentence of sentences) {
    current.push(sentence);
    length += sentence.length + (current.length > 1 ? separator.length : 0);
    if (length >= targetChars) {
      groups.push(current.join(separator));
      current = [];
      length = 0;
    }
  }
  if (current.length > 0) {
    const tail = current.join(separator);
    const last = groups.length - 1;
    if (tail.length < minChars && last >= 0) groups[last] = `${groups[last]}${separator}${tail}`;
    else groups.push(tail);
  }
  return groups;
}
