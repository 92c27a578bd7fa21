// WordPiece: greedy longest-match-first over the vocabulary, continuation pieces carrying a prefix
// ("##"); a word with an unknown piece, or longer than max_input_chars_per_word, becomes [UNK].
import type { WordPieceModelJson } from '../tokenizer-json';
import { codePointLength } from '../unicode';
import { type Model, WordCache, vocabFromJSON } from './model';

export interface WordPieceModelOptions {
  /** Token for unknown words. Default '[UNK]'. */
  unkToken?: string;
  /** Prefix of pieces that continue a word. Default '##'. */
  continuingSubwordPrefix?: string;
  /** Longer words (in code points) become the unknown token. Default 100. */
  maxInputCharsPerWord?: number;
  /** Words whose tokenization is memoized. Default 100000. */
  cacheCapacity?: number;
}

export function createWordPieceModel(
  vocab: Record<string, number>,
  options: WordPieceModelOptions = {},
): Model {
  const unkToken = options.unkToken ?? '[UNK]';
  const prefix = options.continuingSubwordPrefix ?? '##';
  const maxChars = options.maxInputCharsPerWord ?? 100;
  const { ids, tokens } = vocabFromJSON(vocab);
  const unkId = ids.get(unkToken);
  const cache = new WordCache(options.cacheCapacity ?? 100_000);

  const unknown = (word: string): number[] => {
    if (unkId === undefined)
      throw new Error(`unknown token ${JSON.stringify(unkToken)} is not in the vocabulary`);
    return [unkId, 0, word.length];
  };

  const pieces = (word: string): number[] => {
    const n = word.length;
    if (codePointLength(word) > maxChars) return unknown(word);
    const result: number[] = [];
    let start = 0;
    while (start < n) {
      let end = n;
      let found = -1;
      while (start < end) {
        const piece = start === 0 ? (end === n ? word : word.slice(0, end)) : prefix + word.slice(start, end);
        const id = ids.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
        const c = word.charCodeAt(end);
        if (c >= 0xdc00 && c < 0xe000 && end > start) {
          const h = word.charCodeAt(end - 1);
          if (h >= 0xd800 && h < 0xdc00) end--;
        }
      }
      if (found < 0) return unknown(word);
      result.push(found, start, end);
      start = end;
    }
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
    toJSON: (): WordPieceModelJson => ({
      type: 'WordPiece',
      unk_token: unkToken,
      continuing_subword_prefix: prefix,
      max_input_chars_per_word: maxChars,
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id] as const).filter(([t]) => t !== undefined)),
    }),
  };
}

export function wordPieceFromJSON(json: WordPieceModelJson): Model {
  return createWordPieceModel(json.vocab, {
    unkToken: json.unk_token,
    continuingSubwordPrefix: json.continuing_subword_prefix,
    maxInputCharsPerWord: json.max_input_chars_per_word,
  });
}
