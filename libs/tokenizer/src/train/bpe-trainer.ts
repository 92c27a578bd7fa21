// The merge loop shared by both trainers, following Hugging Face's BpeTrainer: words become symbol
// sequences, pair counts are kept exactly, and a max-heap of candidate pairs is invalidated lazily
// (a popped pair whose count changed is pushed back with the new count). Each heap entry carries the
// words where its pair was seen, so a merge only touches those words.
//
// Determinism: nothing depends on hash-map iteration order. Ids are assigned in a fixed order
// (special tokens; the alphabet sorted by code point; continuation symbols "##x" sorted by code
// point; then merged tokens in merge order), and the heap pops by a total order:
//   1. higher pair count first;
//   2. on equal counts, the pair with the smaller left id, then the smaller right id.
// That is Hugging Face's own rule (so tokens built from the start of words win ties, and results stay
// close to HF's); HF differs only in numbering "##x" symbols in hash-map order, which makes its
// tie-breaks, and so its vocabulary, vary from run to run.
// Alphabet limiting drops the least frequent characters, higher code points first on equal counts.
import { Heap } from './heap';
import { type TrainControl, Yielder } from './progress';

export interface BpeTrainConfig {
  vocabSize: number;
  minFrequency: number;
  specialTokens: readonly string[];
  limitAlphabet: number | null;
  initialAlphabet: readonly string[];
  continuingSubwordPrefix: string | null;
}

export interface BpeTrainResult {
  /** Token of every id. */
  vocab: string[];
  /** Merges in rank order (each one once). */
  merges: Array<[string, string]>;
}

interface Candidate {
  count: number;
  a: number;
  b: number;
  words: number[];
}

const PAIR = 0x4000000; // ids < 2^26: a * PAIR + b is an exact double

/** The vocabulary being built: token of every id, and the id of every token. */
interface Vocab {
  tokens: string[];
  ids: Map<string, number>;
}

/** Words as symbol-id sequences in one array (word i is syms[start[i] .. start[i] + len[i])). */
interface Words {
  count: number;
  syms: Int32Array;
  start: Int32Array;
  len: Int32Array;
  freq: Float64Array;
}

/** Exact pair counts and a lazily invalidated max-heap of candidate pairs (see the top of the file). */
interface PairQueue {
  counts: Map<number, number>;
  heap: Heap<Candidate>;
}

export async function trainBpe(
  counts: ReadonlyMap<string, number>,
  config: BpeTrainConfig,
  control: TrainControl,
): Promise<BpeTrainResult> {
  const yielder = new Yielder(control.signal);
  const vocab: Vocab = { tokens: [], ids: new Map() };
  config.specialTokens.forEach((token) => addToken(vocab, token));
  const inAlphabet = new Set<number>();
  for (const cp of alphabetOf(counts, config)) {
    addToken(vocab, String.fromCodePoint(cp));
    inAlphabet.add(cp);
  }
  const prefix = config.continuingSubwordPrefix;
  if (prefix !== null) addContinuationSymbols(vocab, counts, inAlphabet, prefix);
  const words = wordsAsSymbols(vocab, counts, inAlphabet, prefix);
  const queue = countPairs(words);

  // Merge the best pair until the vocabulary is full.
  const merges: Array<[string, string]> = [];
  const merged = new Set<number>();
  const seen = new Int32Array(words.count);
  let round = 0;
  const report = (phase: 'merging' | 'done'): void =>
    control.onProgress?.({
      phase,
      documents: 0,
      words: 0,
      distinctWords: words.count,
      merges: merges.length,
      vocabSize: vocab.tokens.length,
      targetVocabSize: config.vocabSize,
    });
  while (vocab.tokens.length < config.vocabSize) {
    const top = nextPair(queue);
    if (top === undefined || top.count < 1 || config.minFrequency > top.count) break;
    const left = vocab.tokens[top.a]!;
    let right = vocab.tokens[top.b]!;
    if (prefix !== null && right.startsWith(prefix)) right = right.slice(prefix.length);
    const newId = addToken(vocab, left + right);
    const key = top.a * PAIR + top.b;
    if (!merged.has(key)) {
      merged.add(key);
      merges.push([left, vocab.tokens[top.b]!]);
    }
    round++;
    mergeInWords(words, queue, top, newId, seen, round);
    if (merges.length % 200 === 0) {
      report('merging');
      await yielder.maybeYield();
    }
  }
  report('done');
  return { vocab: vocab.tokens, merges };
}

function addToken(vocab: Vocab, token: string): number {
  let id = vocab.ids.get(token);
  if (id === undefined) {
    id = vocab.tokens.length;
    vocab.tokens.push(token);
    vocab.ids.set(token, id);
  }
  return id;
}

/**
 * The alphabet's code points in ascending order: every character of every word, weighted by word count,
 * plus the forced initial characters; limited to the `limitAlphabet` most frequent.
 */
function alphabetOf(counts: ReadonlyMap<string, number>, config: BpeTrainConfig): number[] {
  const alphabet = new Map<number, number>();
  for (const [word, count] of counts) {
    for (const ch of word) {
      const cp = ch.codePointAt(0)!;
      alphabet.set(cp, (alphabet.get(cp) ?? 0) + count);
    }
  }
  for (const chars of config.initialAlphabet) {
    for (const ch of chars) alphabet.set(ch.codePointAt(0)!, Infinity);
  }
  let kept = [...alphabet.entries()];
  if (config.limitAlphabet !== null && kept.length > config.limitAlphabet) {
    kept.sort((x, y) => x[1] - y[1] || y[0] - x[0]);
    kept = kept.slice(kept.length - config.limitAlphabet);
  }
  kept.sort((x, y) => x[0] - y[0]);
  return kept.map(([cp]) => cp);
}

/** "##x" for every alphabet character seen inside a word (not first), sorted by code point. */
function addContinuationSymbols(
  vocab: Vocab,
  counts: ReadonlyMap<string, number>,
  inAlphabet: ReadonlySet<number>,
  prefix: string,
): void {
  const continuing = new Set<number>();
  for (const word of counts.keys()) {
    let first = true;
    for (const ch of word) {
      const cp = ch.codePointAt(0)!;
      if (!first && inAlphabet.has(cp)) continuing.add(cp);
      first = false;
    }
  }
  for (const cp of [...continuing].sort((x, y) => x - y)) addToken(vocab, prefix + String.fromCodePoint(cp));
}

/** Each word as its symbols' ids (characters outside the alphabet dropped). */
function wordsAsSymbols(
  vocab: Vocab,
  counts: ReadonlyMap<string, number>,
  inAlphabet: ReadonlySet<number>,
  prefix: string | null,
): Words {
  const wordCount = counts.size;
  let totalSymbols = 0;
  for (const word of counts.keys()) totalSymbols += word.length;
  const words: Words = {
    count: wordCount,
    syms: new Int32Array(totalSymbols),
    start: new Int32Array(wordCount),
    len: new Int32Array(wordCount),
    freq: new Float64Array(wordCount),
  };
  let w = 0;
  let at = 0;
  for (const [word, count] of counts) {
    words.start[w] = at;
    words.freq[w] = count;
    let first = true;
    for (const ch of word) {
      if (inAlphabet.has(ch.codePointAt(0)!)) {
        words.syms[at++] = vocab.ids.get(!first && prefix !== null ? prefix + ch : ch)!;
      }
      first = false;
    }
    words.len[w] = at - words.start[w]!;
    w++;
  }
  return words;
}

/** Pair counts over all words, and the heap holding each pair with the words it occurs in. */
function countPairs(words: Words): PairQueue {
  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  for (let i = 0; i < words.count; i++) {
    const base = words.start[i]!;
    const end = base + words.len[i]! - 1;
    for (let j = base; j < end; j++) {
      const key = words.syms[j]! * PAIR + words.syms[j + 1]!;
      counts.set(key, (counts.get(key) ?? 0) + words.freq[i]!);
      const list = where.get(key);
      if (list === undefined) where.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  }
  const before = (x: Candidate, y: Candidate): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    if (x.a !== y.a) return x.a < y.a;
    return x.b < y.b;
  };
  const queue: PairQueue = { counts, heap: new Heap<Candidate>(before) };
  enqueue(queue, where);
  return queue;
}

function enqueue(queue: PairQueue, where: Map<number, number[]>): void {
  for (const [key, words] of where) {
    const count = queue.counts.get(key)!;
    if (count > 0) queue.heap.push({ count, a: Math.floor(key / PAIR), b: key % PAIR, words });
  }
}

/** The best pair whose count is current (stale entries go back with their new count), or undefined. */
function nextPair(queue: PairQueue): Candidate | undefined {
  for (;;) {
    const top = queue.heap.pop();
    if (top === undefined) return undefined;
    const current = queue.counts.get(top.a * PAIR + top.b) ?? 0;
    if (top.count === current) return top;
    top.count = current;
    if (current > 0) queue.heap.push(top);
  }
}

/**
 * Replaces the pair `top` by `newId` in the words it was seen in, updating the pair counts of its
 * neighbours and queueing the pairs it creates. `seen[word] === round` skips a word listed twice.
 */
function mergeInWords(
  words: Words,
  queue: PairQueue,
  top: Candidate,
  newId: number,
  seen: Int32Array,
  round: number,
): void {
  const { syms } = words;
  const updates = new Map<number, number[]>();
  const change = (x: number, y: number, delta: number, word: number): void => {
    const k = x * PAIR + y;
    queue.counts.set(k, (queue.counts.get(k) ?? 0) + delta);
    if (delta > 0) {
      const list = updates.get(k);
      if (list === undefined) updates.set(k, [word]);
      else if (list[list.length - 1] !== word) list.push(word);
    }
  };
  for (const word of top.words) {
    if (seen[word] === round) continue;
    seen[word] = round;
    const base = words.start[word]!;
    let len = words.len[word]!;
    const freq = words.freq[word]!;
    for (let i = 0; i < len; i++) {
      if (syms[base + i] !== top.a || i + 1 >= len || syms[base + i + 1] !== top.b) continue;
      if (i > 0) {
        const prev = syms[base + i - 1]!;
        change(prev, top.a, -freq, word);
        change(prev, newId, freq, word);
      }
      syms[base + i] = newId;
      syms.copyWithin(base + i + 1, base + i + 2, base + len);
      len--;
      if (i < len - 1) {
        const next = syms[base + i + 1]!;
        change(top.b, next, -freq, word);
        change(newId, next, freq, word);
      }
    }
    words.len[word] = len;
  }
  enqueue(queue, updates);
}
