// Added tokens (special tokens above all) are matched in the raw text before normalization, so
// "[SEP]" typed by a user is one token, as in Hugging Face's AddedVocabulary. Matching is
// leftmost-longest: alternatives are tried longest first at the leftmost position.
import type { AddedTokenJson } from './tokenizer-json';

/** A piece of input: plain text [from, to), or an added token (id >= 0) covering [from, to). */
export interface Segment {
  id: number;
  from: number;
  to: number;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class TokenMatcher {
  private readonly regex: RegExp | null;
  private readonly byContent = new Map<string, AddedTokenJson>();

  constructor(tokens: readonly AddedTokenJson[]) {
    for (const t of tokens) if (t.content !== '') this.byContent.set(t.content, t);
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.regex = contents.length === 0 ? null : new RegExp(contents.map(escape).join('|'), 'gu');
  }

  get empty(): boolean {
    return this.regex === null;
  }

  /** Splits text[from, to) into plain and added-token segments (offsets are indices into `text`). */
  split(text: string, from: number, to: number, out: Segment[]): void {
    if (this.regex === null) {
      out.push({ id: -1, from, to });
      return;
    }
    const regex = this.regex;
    regex.lastIndex = from;
    let done = from;
    for (let m = regex.exec(text); m !== null && m.index < to; m = regex.exec(text)) {
      let start = m.index;
      let stop = start + m[0].length;
      if (stop > to) break;
      const token = this.byContent.get(m[0])!;
      if (token.single_word) {
        const before = start > from && WORD_CHAR.test(text[start - 1]!);
        const after = stop < to && WORD_CHAR.test(text[stop]!);
        if (before || after) {
          regex.lastIndex = start + 1;
          continue;
        }
      }
      if (token.lstrip) {
        let s = start;
        while (s > done && /\s/u.test(text[s - 1]!)) s--;
        start = s;
      }
      if (token.rstrip) while (stop < to && /\s/u.test(text[stop]!)) stop++;
      if (done < start) out.push({ id: -1, from: done, to: start });
      out.push({ id: token.id, from: start, to: stop });
      done = stop;
      regex.lastIndex = stop;
    }
    if (done < to || out.length === 0) out.push({ id: -1, from: done, to });
  }
}
