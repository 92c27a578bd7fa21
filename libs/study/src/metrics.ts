// Classification metrics from true and predicted class indices. Macro-F1 averages over every class of
// the task (0..numClasses-1), not only the classes present in this split, and a class whose F1 is 0/0
// (never predicted and never true) counts as 0, as scikit-learn's f1_score(average='macro',
// zero_division=0) does. That keeps scores comparable across label budgets and seeds.

/** Class indices: any array-like of integers in [0, numClasses). */
export type Labels = ArrayLike<number>;

export interface ClassificationScores {
  /** Fraction correct, in [0, 1]. */
  readonly accuracy: number;
  /** Unweighted mean of the per-class F1 over all `numClasses` classes, in [0, 1]. */
  readonly macroF1: number;
  /** F1 of each class; 0 where precision and recall are both undefined or zero. */
  readonly perClassF1: readonly number[];
}

/** Fraction of positions where `predicted` equals `truth`. */
export function accuracy(truth: Labels, predicted: Labels): number {
  checkLengths(truth, predicted);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  return correct / truth.length;
}

/** Per-class F1 = 2·TP / (2·TP + FP + FN), 0 when the denominator is 0. */
export function perClassF1(truth: Labels, predicted: Labels, numClasses: number): number[] {
  checkLengths(truth, predicted);
  const truePositives = new Float64Array(numClasses);
  const trueCounts = new Float64Array(numClasses);
  const predictedCounts = new Float64Array(numClasses);
  for (let i = 0; i < truth.length; i++) {
    const t = checkLabel(truth[i], numClasses);
    const p = checkLabel(predicted[i], numClasses);
    trueCounts[t]!++;
    predictedCounts[p]!++;
    if (t === p) truePositives[t]!++;
  }
  return Array.from(truePositives, (tp, c) => {
    // 2TP + FP + FN = |true c| + |predicted c|: the form that needs no separate FP/FN counts.
    const denominator = trueCounts[c]! + predictedCounts[c]!;
    return denominator === 0 ? 0 : (2 * tp) / denominator;
  });
}

/** Macro-F1 over all `numClasses` classes (see the file comment). */
export function macroF1(truth: Labels, predicted: Labels, numClasses: number): number {
  const f1 = perClassF1(truth, predicted, numClasses);
  return f1.reduce((sum, x) => sum + x, 0) / numClasses;
}

/** Accuracy, macro-F1 and per-class F1 together: what a trial records. */
export function classificationScores(
  truth: Labels,
  predicted: Labels,
  numClasses: number,
): ClassificationScores {
  const f1 = perClassF1(truth, predicted, numClasses);
  return {
    accuracy: accuracy(truth, predicted),
    macroF1: f1.reduce((sum, x) => sum + x, 0) / numClasses,
    perClassF1: f1,
  };
}

function checkLengths(truth: Labels, predicted: Labels): void {
  if (truth.length !== predicted.length) {
    throw new RangeError(`truth has ${truth.length} labels but predicted has ${predicted.length}`);
  }
  // A score of an empty split is undefined; failing beats reporting NaN as a result.
  if (truth.length === 0) throw new RangeError('cannot score an empty set of labels');
}

function checkLabel(label: number | undefined, numClasses: number): number {
  if (label === undefined || !Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new RangeError(`label ${label} is not a class index in [0, ${numClasses})`);
  }
  return label;
}
