// Unicode normalization forms (NFC, NFD, NFKC, NFKD) that keep alignments to the original text.
// JavaScript's String.prototype.normalize does the normalizing; we only recover which source
// character every output character came from: decomposed characters keep the span of the character
// they came from, a composed character takes the span of its first component (its starter), as the
// `unicode_normalization_alignments` crate used by Hugging Face does.
import { AlignedBuilder, alignedEnd, alignedStart, type NormalizedString } from './normalized-string';

export type UnicodeForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';

const ASCII_ONLY = /^[\u0000-\u007f]*$/; // eslint-disable-line no-control-regex
// A chunk starts at every character that cannot combine with what precedes it: anything but a
// combining mark or a Hangul medial vowel / final consonant jamo.
const NON_STARTER = /[\p{M}\u1160-\u11ff\ud7b0-\ud7ff]/u;

export function normalizeAligned(ns: NormalizedString, form: UnicodeForm): NormalizedString {
  const text = ns.text;
  if (ASCII_ONLY.test(text)) return ns;
  const whole = text.normalize(form);
  if (whole === text) return ns;

  const builder = new AlignedBuilder(whole.length + 8);
  const produced: string[] = [];
  let chunkStart = 0;
  let copiedUntil = 0;
  const flush = (end: number): void => {
    if (end <= chunkStart) return;
    const chunk = text.slice(chunkStart, end);
    const normalized = chunk.normalize(form);
    produced.push(normalized);
    if (normalized === chunk) return;
    builder.copy(ns, copiedUntil, chunkStart);
    alignChunk(ns, chunkStart, end, normalized, form, builder);
    copiedUntil = end;
  };
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (i > 0 && !NON_STARTER.test(width === 1 ? text[i]! : text.slice(i, i + 2))) {
      flush(i);
      chunkStart = i;
    }
    i += width;
  }
  flush(text.length);
  builder.copy(ns, copiedUntil, text.length);
  if (produced.join('') === whole) return builder.finish();

  // Our chunking split something the normalizer combines across: align the text as one chunk.
  const fallback = new AlignedBuilder(whole.length + 8);
  alignChunk(ns, 0, text.length, whole, form, fallback);
  return fallback.finish();
}

function alignChunk(
  ns: NormalizedString,
  from: number,
  to: number,
  normalized: string,
  form: UnicodeForm,
  builder: AlignedBuilder,
): void {
  const decomposeForm = form === 'NFKC' || form === 'NFKD' ? 'NFKD' : 'NFD';
  const composes = form === 'NFC' || form === 'NFKC';
  // The fully decomposed sequence, each code point tagged with the span of its source character.
  const cps: number[] = [];
  const spanStart: number[] = [];
  const spanEnd: number[] = [];
  for (let i = from; i < to;) {
    const cp = ns.text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const start = alignedStart(ns, i);
    const end = alignedEnd(ns, i + width - 1);
    for (const d of String.fromCodePoint(cp).normalize(decomposeForm)) {
      cps.push(d.codePointAt(0)!);
      spanStart.push(start);
      spanEnd.push(end);
    }
    i += width;
  }
  const used = new Uint8Array(cps.length);
  let lowest = 0;
  const take = (cp: number): number => {
    for (let k = lowest; k < cps.length; k++) {
      if (used[k] === 0 && cps[k] === cp) {
        used[k] = 1;
        while (lowest < cps.length && used[lowest] === 1) lowest++;
        return k;
      }
    }
    return -1;
  };
  for (const out of normalized) {
    const parts = composes ? out.normalize('NFD') : out;
    let source = -1;
    for (const part of parts) {
      const k = take(part.codePointAt(0)!);
      if (source < 0) source = k;
    }
    if (source < 0) builder.push(out, alignedStart(ns, from), alignedEnd(ns, to - 1));
    else builder.push(out, spanStart[source]!, spanEnd[source]!);
  }
}
