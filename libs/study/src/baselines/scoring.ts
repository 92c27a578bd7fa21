// Linear scoring of sparse rows, shared by both baselines: scores = rows · weights + bias, with the
// weights stored word-major (weights[word * numClasses + class]) so each nonzero touches one contiguous
// run of numClasses numbers.
import type { SparseRows } from './vectorize';

/** Row-major rowCount × numClasses scores. `transform` maps a raw count to the feature value. */
export function linearScores(
  rows: SparseRows,
  weights: Float64Array,
  bias: Float64Array,
  transform: (count: number) => number = (count) => count,
): Float64Array {
  const numClasses = bias.length;
  const scores = new Float64Array(rows.rowCount * numClasses);
  for (let i = 0; i < rows.rowCount; i++) {
    const out = i * numClasses;
    for (let k = 0; k < numClasses; k++) scores[out + k] = bias[k]!;
    for (let e = rows.rowStarts[i]!; e < rows.rowStarts[i + 1]!; e++) {
      const x = transform(rows.values[e]!);
      const w = rows.columns[e]! * numClasses;
      for (let k = 0; k < numClasses; k++) scores[out + k]! += x * weights[w + k]!;
    }
  }
  return scores;
}

/** Row-wise argmax of row-major scores; ties go to the lower class index. */
export function argmaxRows(scores: Float64Array, numClasses: number): Int32Array {
  const rowCount = scores.length / numClasses;
  const out = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++)
      if (scores[i * numClasses + k]! > scores[i * numClasses + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** Row-wise softmax in place (max-subtracted, so -Infinity scores become probability 0). */
export function softmaxRows(scores: Float64Array, numClasses: number): Float64Array {
  for (let start = 0; start < scores.length; start += numClasses) {
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, scores[start + k]!);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) {
      const e = Math.exp(scores[start + k]! - max);
      scores[start + k] = e;
      sum += e;
    }
    for (let k = 0; k < numClasses; k++) scores[start + k]! /= sum;
  }
  return scores;
}
