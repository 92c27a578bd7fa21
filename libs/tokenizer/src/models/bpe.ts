// BPE: start from single characters and apply the learned merges, lowest rank first (each pass merges
// every non-overlapping occurrence of the best pair left to right, which gives the same result as
// Hugging Face's priority queue since a merge can never re-create its own pair).
import type { BpeModelJson } from '../tokenizer-json';
import { type Model, WordCache, vocabFromJSON } from './model';

const PAIR = 0x4000000; // ids stay below 2^26, so a * PAIR + b and rank * PAIR + id stay exact

export interface BpeModelOptions {
  /** Token for characters missing from the vocabulary; null drops them. Default null. */
  unkToken?: string | null;
  /** Words whose tokenization is memoized. Default 100000. */
  cacheCapacity?: number;
}

export function createBpeModel(
  vocab: Record<string, number>,
  merges: ReadonlyArray<string | readonly [string, string]>,
  options: BpeModelOptions = {},
): Model {
  const { ids, tokens } = vocabFromJSON(vocab);
  if (tokens.length >= PAIR) throw new Error(`vocabulary too large (${tokens.length} ids)`);
  const unkToken = options.unkToken ?? null;
  const unkId = unkToken === null ? undefined : ids.get(unkToken);
  const mergeList: Array<[string, string]> = merges.map((m) => {
    if (typeof m !== 'string') return [m[0], m[1]];
    const space = m.indexOf(' ');
    if (space < 0) throw new Error(`invalid merge ${JSON.stringify(m)}`);
    return [m.slice(0, space), m.slice(space + 1)];
  });
  const ranks = new Map<number, number>();
  mergeList.forEach(([a, b], rank) => {
    const ia = ids.get(a);
    const ib = ids.get(b);
    const merged = ids.get(a + b);
    if (ia === undefined || ib === undefined || merged === undefined) {
      throw new Error(`merge ${JSON.stringify(`${a} ${b}`)} uses a token missing from the vocabulary`);
    }
    const key = ia * PAIR + ib;
    if (!ranks.has(key)) ranks.set(key, rank * PAIR + merged);
  });
  const cache = new WordCache(options.cacheCapacity ?? 100_000);

  const pieces = (word: string): number[] => {
    const sym: number[] = [];
    const start: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < word.length;) {
      const cp = word.codePointAt(i)!;
      const width = cp > 0xffff ? 2 : 1;
      const id = ids.get(width === 1 ? word[i]! : word.slice(i, i + 2)) ?? unkId;
      if (id !== undefined) {
        sym.push(id);
        start.push(i);
        end.push(i + width);
      }
      i += width;
    }
    for (;;) {
      let best = Infinity;
      for (let p = 0; p + 1 < sym.length; p++) {
        const r = ranks.get(sym[p]! * PAIR + sym[p + 1]!);
        if (r !== undefined && r < best) best = r;
      }
      if (best === Infinity) break;
      const merged = best % PAIR;
      let w = 0;
      for (let p = 0; p < sym.length; p++, w++) {
        if (p + 1 < sym.length && ranks.get(sym[p]! * PAIR + sym[p + 1]!) === best) {
          sym[w] = merged;
          start[w] = start[p]!;
          end[w] = end[p + 1]!;
          p++;
        } else {
          sym[w] = sym[p]!;
          start[w] = start[p]!;
          end[w] = end[p]!;
        }
      }
      sym.length = w;
    }
    const result: number[] = [];
    for (let k = 0; k < sym.length; k++) result.push(sym[k]!, start[k]!, end[k]!);
    return result;
  };

  return {
    tokenize(word, out) {
      let result = cache.get(word);
      if (result === undefined) {
        result = pieces(word);
        cache.set(word, result);
      }
      for (let k = 0; k < result.length; k++) out.push(result[k]!);
    },
    tokenToId: (token) => ids.get(token),
    idToToken: (id) => tokens[id],
    vocabSize: ids.size,
    toJSON: (): BpeModelJson => ({
      type: 'BPE',
      dropout: null,
      unk_token: unkToken,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id] as const).filter(([t]) => t !== undefined)),
      merges: mergeList.map(([a, b]) => `${a} ${b}`),
    }),
  };
}

export function bpeFromJSON(json: BpeModelJson): Model {
  if (json.continuing_subword_prefix || json.end_of_word_suffix || json.byte_fallback || json.dropout) {
    throw new Error('BPE models with a subword prefix/suffix, byte fallback or dropout are not supported');
  }
  return createBpeModel(json.vocab, json.merges, { unkToken: json.unk_token });
}
