// The token stream training windows are cut from: every document of a split, back to back, each
// followed by [SEP]. RoBERTa's FULL-SENTENCES packing: no padding is ever wasted, and a window crossing a
// document boundary sees the separator the model also sees at the end of every sequence.
import type { ShardSplit, TokenArray } from '@headstart/shards';
import type { SpecialTokenIds } from './special-tokens';

/** A packed split: `tokens` is what getBatch samples windows from. */
export interface TokenStream {
  readonly tokens: TokenArray;
  readonly documents: number;
}

/**
 * Joins the documents of `split` with [SEP]. A tokenizer that already wrapped each document in
 * [CLS] … [SEP] would double them up, so a leading [CLS] and a trailing [SEP] of a document are dropped
 * first. Empty documents are skipped.
 */
export function packDocuments(
  split: Pick<ShardSplit, 'tokens' | 'docStarts' | 'documentCount'>,
  specials: Pick<SpecialTokenIds, 'cls' | 'sep'>,
): TokenStream {
  const { tokens, docStarts, documentCount } = split;
  const out =
    tokens instanceof Uint16Array && specials.sep < 65_536
      ? new Uint16Array(tokens.length + documentCount)
      : new Uint32Array(tokens.length + documentCount);
  let length = 0;
  let documents = 0;
  for (let d = 0; d < documentCount; d++) {
    let start = docStarts[d] as number;
    let end = docStarts[d + 1] as number;
    if (end > start && tokens[start] === specials.cls) start++;
    if (end > start && tokens[end - 1] === specials.sep) end--;
    if (end <= start) continue;
    out.set(tokens.subarray(start, end), length);
    length += end - start;
    out[length++] = specials.sep;
    documents++;
  }
  return { tokens: out.subarray(0, length), documents };
}
