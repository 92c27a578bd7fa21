// Streams documents through the normalizer and pre-tokenizer into a word → count table. Memory grows
// with the number of distinct words, never with the corpus: documents are dropped once counted.
import type { Normalizer } from '../normalizers';
import type { PreTokenizer } from '../pre-tokenizers';
import { type TrainControl, type TrainProgress, Yielder } from './progress';

/** Documents to train on: any (async) iterable of strings, e.g. an array, a generator or a stream. */
export type Documents = Iterable<string> | AsyncIterable<string>;

export interface WordCounts {
  counts: Map<string, number>;
  documents: number;
  words: number;
}

export async function countWords(
  documents: Documents,
  normalizer: Normalizer | null,
  preTokenizer: PreTokenizer,
  control: TrainControl,
  targetVocabSize: number,
): Promise<WordCounts> {
  const counts = new Map<string, number>();
  const yielder = new Yielder(control.signal);
  yielder.check();
  let docs = 0;
  let words = 0;
  const report = (): void =>
    control.onProgress?.({
      phase: 'counting',
      documents: docs,
      words,
      distinctWords: counts.size,
      merges: 0,
      vocabSize: 0,
      targetVocabSize,
    } satisfies TrainProgress);
  const add = (word: string): void => {
    words++;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  };
  const countOne = (doc: unknown): void => {
    if (typeof doc !== 'string') throw new TypeError(`document ${docs} is ${typeof doc}, not a string`);
    preTokenizer.splitWords(normalizer === null ? doc : normalizer.normalizeText(doc), add);
    docs++;
    if (docs % 5000 === 0) report();
  };
  if (Symbol.asyncIterator in documents) {
    for await (const doc of documents) {
      countOne(doc);
      yielder.check();
      await yielder.maybeYield();
    }
  } else {
    for (const doc of documents) {
      countOne(doc);
      yielder.check();
      await yielder.maybeYield();
    }
  }
  report();
  return { counts, documents: docs, words };
}

/** Control for the merge phase whose progress reports keep the document and word totals. */
export function withCounts(control: TrainControl, counted: WordCounts): TrainControl {
  const onProgress = control.onProgress;
  return {
    signal: control.signal,
    onProgress:
      onProgress &&
      ((p: TrainProgress) => onProgress({ ...p, documents: counted.documents, words: counted.words })),
  };
}
