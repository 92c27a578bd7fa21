// Texts to token ids for the classifier: [CLS] text [SEP], cut to the max length (and flagged when cut),
// and batches padded to their longest row with an attention mask.
import type { EncoderInput } from '@headstart/model';
import type { Tokenizer } from '@headstart/tokenizer';

export interface EncodedTexts {
  ids: Int32Array[];
  /** Whether each text was longer than the max length (its end was cut). */
  truncated: boolean[];
}

export interface EncodedExamples extends EncodedTexts {
  /** Class index of each example. */
  labels: Int32Array;
}

/** Id used for padding: [PAD] / <pad> when the vocabulary has one, else 0 (masked out either way). */
export function padIdOf(tokenizer: Tokenizer): number {
  return tokenizer.tokenToId('[PAD]') ?? tokenizer.tokenToId('<pad>') ?? 0;
}

/**
 * Encodes each text with the tokenizer's special tokens. A text over `maxLength` tokens is encoded again
 * with truncation (the binding's rule: the end of the text is cut, the closing [SEP] kept).
 */
export function encodeTexts(tokenizer: Tokenizer, texts: readonly string[], maxLength: number): EncodedTexts {
  const full = tokenizer.encodeBatch(texts);
  const ids: Int32Array[] = [];
  const truncated: boolean[] = [];
  full.forEach((encoding, i) => {
    if (encoding.ids.length <= maxLength) {
      ids.push(Int32Array.from(encoding.ids));
      truncated.push(false);
      return;
    }
    const cut = tokenizer.encode(texts[i] as string, null, { maxLength, truncation: true });
    ids.push(Int32Array.from(cut.ids));
    truncated.push(true);
  });
  return { ids, truncated };
}

export function encodeExamples(
  tokenizer: Tokenizer,
  examples: readonly { text: string; label: string }[],
  labels: readonly string[],
  maxLength: number,
): EncodedExamples {
  const index = new Map(labels.map((label, i) => [label, i]));
  const encoded = encodeTexts(
    tokenizer,
    examples.map((e) => e.text),
    maxLength,
  );
  const classes = Int32Array.from(examples, (e) => {
    const i = index.get(e.label);
    if (i === undefined) throw new Error(`label ${JSON.stringify(e.label)} is not one of the model's labels`);
    return i;
  });
  return { ...encoded, labels: classes };
}

/** Batch lengths are rounded up to a multiple of this (HF's pad_to_multiple_of): see makeBatch. */
export const PAD_TO_MULTIPLE_OF = 8;

/**
 * Rows `rows` of `ids`, right-padded with `padId` to the longest of them, with the attention mask. With
 * `maxLen` (the model's), the length is rounded up to a multiple of 8 within it: batches of texts of
 * every length otherwise came in as many shapes as there are lengths, and each new shape's kernel
 * buffers missed the backend's pool (padding is masked out, so the results do not change).
 */
export function makeBatch(
  ids: readonly Int32Array[],
  rows: readonly number[],
  padId: number,
  maxLen?: number,
): EncoderInput {
  const longest = Math.max(1, ...rows.map((r) => (ids[r] as Int32Array).length));
  const rounded = Math.ceil(longest / PAD_TO_MULTIPLE_OF) * PAD_TO_MULTIPLE_OF;
  const seqLen = maxLen === undefined ? longest : Math.max(longest, Math.min(rounded, maxLen));
  const inputIds = new Int32Array(rows.length * seqLen).fill(padId);
  const attentionMask = new Int32Array(rows.length * seqLen);
  rows.forEach((r, b) => {
    const row = ids[r] as Int32Array;
    inputIds.set(row, b * seqLen);
    attentionMask.fill(1, b * seqLen, b * seqLen + row.length);
  });
  return { inputIds, attentionMask, batchSize: rows.length, seqLen };
}
