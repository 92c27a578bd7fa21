import { collapseWhitespace, extractSubjectAndBody } from './email';

export const DEFAULT_LENGTH_CAP = 2000;

export interface CleanEmail {
  /** `Subject: <subject>\n<body>`, whitespace collapsed within each, capped. */
  readonly text: string;
  /** The whole text before capping, for exact-duplicate detection. */
  readonly fullText: string;
  /** Same normalised subject and first 200 characters of normalised body: a near-duplicate. */
  readonly nearDuplicateKey: string;
  readonly truncated: boolean;
  readonly emptyBody: boolean;
}

/**
 * An email as the task sees it: Subject and body only, whitespace collapsed, stray control characters
 * and U+FFFD (bytes the corpus loader could not decode) removed, capped at `lengthCap` characters on a
 * word boundary when one is near.
 */
export function cleanEmail(raw: string, lengthCap = DEFAULT_LENGTH_CAP): CleanEmail {
  const { subject, body } = extractSubjectAndBody(raw);
  const cleanSubject = collapseWhitespace(removeJunk(subject));
  const cleanBody = collapseWhitespace(removeJunk(body));
  const fullText = `Subject: ${cleanSubject}\n${cleanBody}`;
  const text = capLength(fullText, lengthCap);
  return {
    text,
    fullText,
    nearDuplicateKey: `${normalizeForNearDuplicates(stripReplyPrefixes(cleanSubject))}\u0000${normalizeForNearDuplicates(cleanBody).slice(0, 200)}`,
    truncated: text.length < fullText.length,
    emptyBody: cleanBody === '',
  };
}

function removeJunk(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, ' ');
}

/**
 * Cuts text to at most `cap` UTF-16 units: at the last space within the final 10% when there is one,
 * never inside a surrogate pair.
 */
export function capLength(text: string, cap: number): string {
  if (text.length <= cap) return text;
  let end = cap;
  const space = text.lastIndexOf(' ', cap);
  if (space >= cap * 0.9) end = space;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end).trimEnd();
}

/** "Re: Fwd: RE: x" → "x". */
function stripReplyPrefixes(subject: string): string {
  return subject.replace(/^(\s*(re|fw|fwd|aw)(\[\d+\])?\s*:\s*)+/i, '');
}

/**
 * Lowercase, NFKC, digit runs → 0, everything but letters and digits → one space: spam campaigns
 * repeat with different order numbers, names in brackets and punctuation.
 */
export function normalizeForNearDuplicates(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\d+/g, '0')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
