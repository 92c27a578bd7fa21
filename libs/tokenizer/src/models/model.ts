import type { ModelJson } from '../tokenizer-json';

/** A tokenization model: turns one pre-tokenized word into vocabulary ids. */
export interface Model {
  /**
   * Tokenizes `word`, appending for every token its id and its [start, end) range in UTF-16 units of
   * `word` to `out` (three numbers per token).
   */
  tokenize(word: string, out: number[]): void;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  readonly vocabSize: number;
  toJSON(): ModelJson;
}

/** A bounded word → tokens memo: words repeat (Zipf), tokenizing them again is the expensive part. */
export class WordCache {
  private readonly map = new Map<string, number[]>();

  constructor(private readonly capacity: number) {}

  get(word: string): number[] | undefined {
    return this.map.get(word);
  }

  set(word: string, tokens: number[]): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(word, tokens);
  }
}

/** Builds a `Map` from a tokenizer.json vocab and checks ids are unique and dense enough to index. */
export function vocabFromJSON(vocab: Record<string, number>): { ids: Map<string, number>; tokens: string[] } {
  const ids = new Map<string, number>();
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0)
      throw new Error(`invalid id ${id} for token ${JSON.stringify(token)}`);
    if (tokens[id] !== undefined) throw new Error(`id ${id} is used by two tokens`);
    ids.set(token, id);
    tokens[id] = token;
  }
  return { ids, tokens };
}
