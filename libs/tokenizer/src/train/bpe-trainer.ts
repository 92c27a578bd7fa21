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

export async function trainBpe(
  counts: ReadonlyMap<string, number>,
  config: BpeTrainConfig,
  control: TrainControl,
): Promise<BpeTrainResult> {
  const yielder = new Yielder(control.signal);
  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const addToken = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(token);
      ids.set(token, id);
    }
    return id;
  };
  config.specialTokens.forEach(addToken);

  // 1. Alphabet: every character of every word, weighted by word count; forced initial characters.
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
  const inAlphabet = new Set<number>();
  for (const [cp] of kept) {
    addToken(String.fromCodePoint(cp));
    inAlphabet.add(cp);
  }

  // 2. Continuation symbols, then words as symbol sequences (characters outside the alphabet dropped).
  const prefix = config.continuingSubwordPrefix;
  if (prefix !== null) {
    const continuing = new Set<number>();
    for (const word of counts.keys()) {
      let first = true;
      for (const ch of word) {
        const cp = ch.codePointAt(0)!;
        if (!first && inAlphabet.has(cp)) continuing.add(cp);
        first = false;
      }
    }
    for (const cp of [...continuing].sort((x, y) => x - y)) addToken(prefix + String.fromCodePoint(cp));
  }
  const wordCount = counts.size;
  let totalSymbols = 0;
  for (const word of counts.keys()) totalSymbols += word.length;
  const syms = new Int32Array(totalSymbols);
  const wordStart = new Int32Array(wordCount);
  const wordLen = new Int32Array(wordCount);
  const wordFreq = new Float64Array(wordCount);
  let w = 0;
  let at = 0;
  for (const [word, count] of counts) {
    wordStart[w] = at;
    wordFreq[w] = count;
    let first = true;
    for (const ch of word) {
      if (inAlphabet.has(ch.codePointAt(0)!)) {
        syms[at++] = ids.get(!first && prefix !== null ? prefix + ch : ch)!;
      }
      first = false;
    }
    wordLen[w] = at - wordStart[w]!;
    w++;
  }

  // 3. Pair counts and where each pair occurs.
  const pairCounts = new Map<number, number>();
  const where = new Map<number, number[]>();
  for (let i = 0; i < wordCount; i++) {
    const base = wordStart[i]!;
    const end = base + wordLen[i]! - 1;
    for (let j = base; j < end; j++) {
      const key = syms[j]! * PAIR + syms[j + 1]!;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + wordFreq[i]!);
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
  const heap = new Heap<Candidate>(before);
  const enqueue = (map: Map<number, number[]>): void => {
    for (const [key, words] of map) {
      const count = pairCounts.get(key)!;
      if (count > 0) heap.push({ count, a: Math.floor(key / PAIR), b: key % PAIR, words });
    }
  };
  enqueue(where);
  where.clear();

  // 4. Merge the best pair until the vocabulary is full.
  const merges: Array<[string, string]> = [];
  const merged = new Set<number>();
  const seen = new Int32Array(wordCount);
  let round = 0;
  const report = (phase: 'merging' | 'done'): void =>
    control.onProgress?.({
      phase,
      documents: 0,
      words: 0,
      distinctWords: wordCount,
      merges: merges.length,
      vocabSize: vocab.length,
      targetVocabSize: config.vocabSize,
    });
  while (vocab.length < config.vocabSize) {
    const top = heap.pop();
    if (top === undefined) break;
    const key = top.a * PAIR + top.b;
    const current = pairCounts.get(key) ?? 0;
    if (top.count !== current) {
      top.count = current;
      if (current > 0) heap.push(top);
      continue;
    }
    if (top.count < 1 || config.minFrequency > top.count) break;

    const left = vocab[top.a]!;
    let right = vocab[top.b]!;
    if (prefix !== null && right.startsWith(prefix)) right = right.slice(prefix.length);
    const newId = addToken(left + right);
    if (!merged.has(key)) {
      merged.add(key);
      merges.push([left, vocab[top.b]!]);
    }

    round++;
    const updates = new Map<number, number[]>();
    const change = (x: number, y: number, delta: number, word: number): void => {
      const k = x * PAIR + y;
      pairCounts.set(k, (pairCounts.get(k) ?? 0) + delta);
      if (delta > 0) {
        const list = updates.get(k);
        if (list === undefined) updates.set(k, [word]);
        else if (list[list.length - 1] !== word) list.push(word);
      }
    };
    for (const word of top.words) {
      if (seen[word] === round) continue;
      seen[word] = round;
      const base = wordStart[word]!;
      let len = wordLen[word]!;
      const freq = wordFreq[word]!;
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
      wordLen[word] = len;
    }
    enqueue(updates);
    if (merges.length % 200 === 0) {
      report('merging');
      await yielder.maybeYield();
    }
  }
  report('done');
  return { vocab, merges };
}
