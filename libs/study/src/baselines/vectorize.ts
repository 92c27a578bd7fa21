// Sparse bag-of-words rows. The vocabulary comes from the training texts only, so nothing about dev or
// test leaks into the features; words never seen in training are dropped at prediction time.
import { tokenizeWords } from './tokenize';

/** Word → column. Columns are numbered in order of first appearance, so the order is deterministic. */
export type Vocabulary = ReadonlyMap<string, number>;

/** Rows in compressed sparse row form: row `i` is entries `[rowStarts[i], rowStarts[i + 1])`. */
export interface SparseRows {
  readonly rowCount: number;
  readonly columnCount: number;
  readonly rowStarts: Int32Array;
  readonly columns: Int32Array;
  /** The word's count in the text (one entry per distinct word of the row). */
  readonly values: Float64Array;
}

/** The vocabulary of the training texts: every word that occurs at least once. */
export function buildVocabulary(texts: readonly string[]): Vocabulary {
  const vocabulary = new Map<string, number>();
  for (const text of texts) {
    for (const word of tokenizeWords(text)) {
      if (!vocabulary.has(word)) vocabulary.set(word, vocabulary.size);
    }
  }
  return vocabulary;
}

/** Word counts of each text over `vocabulary`, one sparse row per text. */
export function countVectors(vocabulary: Vocabulary, texts: readonly string[]): SparseRows {
  const rowStarts = new Int32Array(texts.length + 1);
  const columns: number[] = [];
  const values: number[] = [];
  // slotOf[column] = index into columns/values of that column in the current row, or -1; reset per row
  // through the row's own entries, so a row costs its length, not the vocabulary's size.
  const slotOf = new Int32Array(vocabulary.size).fill(-1);
  texts.forEach((text, row) => {
    const start = columns.length;
    for (const word of tokenizeWords(text)) {
      const column = vocabulary.get(word);
      if (column === undefined) continue;
      const slot = slotOf[column]!;
      if (slot >= 0) {
        values[slot]! += 1;
      } else {
        slotOf[column] = columns.length;
        columns.push(column);
        values.push(1);
      }
    }
    for (let k = start; k < columns.length; k++) slotOf[columns[k]!] = -1;
    rowStarts[row + 1] = columns.length;
  });
  return {
    rowCount: texts.length,
    columnCount: vocabulary.size,
    rowStarts,
    columns: Int32Array.from(columns),
    values: Float64Array.from(values),
  };
}
