// A normalized string that remembers, for every UTF-16 unit, which span of the ORIGINAL text it came
// from. Every transformation copies the span of the source character to the characters it produces,
// exactly like the alignments of Hugging Face's NormalizedString, which is what makes token offsets
// point back into the text the caller gave us.

export interface NormalizedString {
  /** The normalized text. */
  readonly text: string;
  /** Per UTF-16 unit of `text`: start of its source character in the original (UTF-16 units). */
  readonly starts: Int32Array | null;
  /** Per UTF-16 unit of `text`: end of its source character in the original (UTF-16 units). */
  readonly ends: Int32Array | null;
  /** When `starts`/`ends` are null the text is unchanged and unit i came from original `base + i`. */
  readonly base: number;
}

/** A fresh, untransformed piece of the original text starting at original offset `base`. */
export function original(text: string, base = 0): NormalizedString {
  return { text, starts: null, ends: null, base };
}

export function alignedStart(ns: NormalizedString, i: number): number {
  return ns.starts === null ? ns.base + i : ns.starts[i]!;
}

export function alignedEnd(ns: NormalizedString, i: number): number {
  return ns.ends === null ? ns.base + i + 1 : ns.ends[i]!;
}

/**
 * Original span covered by normalized units [from, to): the smallest start and largest end of their
 * alignments (Hugging Face's `expand_alignments`). Writes into `out` to avoid allocating.
 */
export function originalSpan(ns: NormalizedString, from: number, to: number, out: number[]): void {
  if (ns.starts === null || ns.ends === null) {
    out[0] = ns.base + from;
    out[1] = ns.base + to;
    return;
  }
  let start = ns.starts[from]!;
  let end = ns.ends[to - 1]!;
  for (let i = from; i < to; i++) {
    const s = ns.starts[i]!;
    const e = ns.ends[i]!;
    if (s < start) start = s;
    if (e > end) end = e;
  }
  out[0] = start;
  out[1] = end;
}

/** Accumulates output text with one source span per emitted UTF-16 unit. */
export class AlignedBuilder {
  private readonly parts: string[] = [];
  private starts: Int32Array;
  private ends: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    this.starts = new Int32Array(Math.max(16, capacity));
    this.ends = new Int32Array(Math.max(16, capacity));
  }

  push(text: string, start: number, end: number): void {
    const n = text.length;
    this.reserve(n);
    for (let k = 0; k < n; k++) {
      this.starts[this.length + k] = start;
      this.ends[this.length + k] = end;
    }
    this.length += n;
    this.parts.push(text);
  }

  /** Copies units [from, to) of `ns` unchanged. */
  copy(ns: NormalizedString, from: number, to: number): void {
    if (to <= from) return;
    const n = to - from;
    this.reserve(n);
    for (let k = 0; k < n; k++) {
      this.starts[this.length + k] = alignedStart(ns, from + k);
      this.ends[this.length + k] = alignedEnd(ns, from + k);
    }
    this.length += n;
    this.parts.push(ns.text.slice(from, to));
  }

  finish(): NormalizedString {
    return {
      text: this.parts.join(''),
      starts: this.starts.subarray(0, this.length),
      ends: this.ends.subarray(0, this.length),
      base: 0,
    };
  }

  private reserve(n: number): void {
    if (this.length + n <= this.starts.length) return;
    const size = Math.max(this.starts.length * 2, this.length + n);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.starts = starts;
    this.ends = ends;
  }
}

/**
 * Rewrites every code point through `map` (undefined = keep, '' = remove, other = replace). Each
 * produced unit inherits the span of the code point it came from.
 */
export function mapCodePoints(
  ns: NormalizedString,
  map: (cp: number, ch: string) => string | undefined,
): NormalizedString {
  const text = ns.text;
  const builder = new AlignedBuilder(text.length + 8);
  let keptFrom = 0;
  for (let i = 0; i < text.length;) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        cp = (cp - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const replacement = map(cp, width === 1 ? text[i]! : text.slice(i, i + 2));
    if (replacement !== undefined) {
      builder.copy(ns, keptFrom, i);
      if (replacement !== '') builder.push(replacement, alignedStart(ns, i), alignedEnd(ns, i + width - 1));
      keptFrom = i + width;
    }
    i += width;
  }
  if (keptFrom === 0) return ns;
  builder.copy(ns, keptFrom, text.length);
  return builder.finish();
}
