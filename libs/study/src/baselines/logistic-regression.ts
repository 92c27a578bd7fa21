// Multinomial (softmax) logistic regression on bag-of-words features, L2-regularised the way
// scikit-learn's LogisticRegression(C=…) is:
//   minimise  Σ_i −log softmax(W·x_i + b)[y_i]  +  ‖W‖² / (2C)      (the intercepts b are not penalised)
// (divided by n for the optimiser, as scikit-learn does, so its gradient tolerance means the same at
// every label budget).
// Features: x_iw = log(1 + count of word w in text i), each row then scaled to unit L2 norm, so long and
// short texts weigh alike and one repeated word cannot dominate. Fitted by full-batch L-BFGS from zero:
// deterministic, no seed. C is chosen on dev from a grid, fitted from the most regularised value up, each
// fit warm-started from the previous one (the usual regularisation path; it saves most iterations).
import { checkBaselineInput } from './check-input';
import { minimizeLbfgs } from './lbfgs';
import { argmaxRows, linearScores, softmaxRows } from './scoring';
import { selectOnDev } from './select';
import type { BaselineInput, BaselineModel, Selection } from './types';
import { buildVocabulary, countVectors, type SparseRows, type Vocabulary } from './vectorize';

/** C values tried on dev, most regularised first (ties keep the simpler model). */
export const LOGISTIC_REGRESSION_C_GRID: readonly number[] = [0.1, 1, 10, 100];
/** C without a dev split: scikit-learn's default. */
export const LOGISTIC_REGRESSION_DEFAULT_C = 1;

export interface LogisticRegressionInput extends BaselineInput {
  /** Overrides LOGISTIC_REGRESSION_C_GRID; every value must be > 0. */
  readonly cGrid?: readonly number[];
  /** L-BFGS iteration cap per fit; default 200. */
  readonly maxIterations?: number;
}

export interface LogisticRegressionSettings {
  readonly model: 'multinomial_logistic_regression';
  readonly features: 'log1p_counts_l2_normalised';
  readonly optimizer: 'lbfgs';
  /** Inverse L2 strength, as scikit-learn's C. */
  readonly c: number;
  /** L-BFGS iterations of the chosen fit, and whether it met its tolerance. */
  readonly iterations: number;
  readonly converged: boolean;
  readonly selection: Selection;
}

export type LogisticRegressionModel = BaselineModel<LogisticRegressionSettings>;

interface Fit {
  /** Word-major weights [word * numClasses + class], then numClasses intercepts. */
  readonly parameters: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Trains softmax regression; the same input always gives the same model. */
export function trainLogisticRegression(input: LogisticRegressionInput): LogisticRegressionModel {
  checkBaselineInput(input);
  const grid = input.cGrid ?? LOGISTIC_REGRESSION_C_GRID;
  if (grid.some((c) => !(c > 0))) throw new RangeError('every C must be > 0');
  const numClasses = input.numClasses;
  const vocabulary = buildVocabulary(input.texts);
  const rows = logNormalised(countVectors(vocabulary, input.texts));
  const weightCount = vocabulary.size * numClasses;
  let warmStart: Float64Array = new Float64Array(weightCount + numClasses);
  const fit = (c: number): Fit => {
    const objective = (theta: Float64Array, gradient: Float64Array): number =>
      penalisedLoss(rows, input.labels, numClasses, c, theta, gradient);
    const result = minimizeLbfgs(objective, warmStart, { maxIterations: input.maxIterations ?? 200 });
    warmStart = result.x;
    return { parameters: result.x, iterations: result.iterations, converged: result.converged };
  };
  const score = (model: Fit, texts: readonly string[]): Float64Array =>
    linearScores(
      logNormalised(countVectors(vocabulary, texts)),
      model.parameters.subarray(0, weightCount),
      model.parameters.subarray(weightCount),
    );
  const chosen = selectOnDev(input, grid, LOGISTIC_REGRESSION_DEFAULT_C, fit, (model, texts) =>
    argmaxRows(score(model, texts), numClasses),
  );
  return makeModel(vocabulary, numClasses, (texts) => score(chosen.model, texts), {
    model: 'multinomial_logistic_regression',
    features: 'log1p_counts_l2_normalised',
    optimizer: 'lbfgs',
    c: chosen.value,
    iterations: chosen.model.iterations,
    converged: chosen.model.converged,
    selection: chosen.selection,
  });
}

function makeModel(
  vocabulary: Vocabulary,
  numClasses: number,
  score: (texts: readonly string[]) => Float64Array,
  settings: LogisticRegressionSettings,
): LogisticRegressionModel {
  return {
    numClasses,
    vocabularySize: vocabulary.size,
    settings,
    predict: (texts) => argmaxRows(score(texts), numClasses),
    predictProba: (texts) => softmaxRows(score(texts), numClasses),
  };
}

/** log(1 + count), then each row scaled to unit L2 norm (an empty row stays zero). */
function logNormalised(rows: SparseRows): SparseRows {
  const values = rows.values.map((count) => Math.log1p(count));
  for (let i = 0; i < rows.rowCount; i++) {
    let squares = 0;
    for (let e = rows.rowStarts[i]!; e < rows.rowStarts[i + 1]!; e++) squares += values[e]! ** 2;
    const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0;
    for (let e = rows.rowStarts[i]!; e < rows.rowStarts[i + 1]!; e++) values[e]! *= scale;
  }
  return { ...rows, values };
}

/**
 * (Σ cross-entropy + ‖W‖²/(2C)) / n at theta; writes its gradient. One pass over the nonzeros: scores,
 * then softmax, then (p − onehot(y)) / n scattered back into the word rows the text touches.
 */
function penalisedLoss(
  rows: SparseRows,
  labels: ArrayLike<number>,
  numClasses: number,
  c: number,
  theta: Float64Array,
  gradient: Float64Array,
): number {
  const weightCount = theta.length - numClasses;
  const perRow = 1 / rows.rowCount;
  const lambda = perRow / c;
  let loss = 0;
  for (let j = 0; j < weightCount; j++) {
    loss += 0.5 * lambda * theta[j]! ** 2;
    gradient[j] = lambda * theta[j]!;
  }
  gradient.fill(0, weightCount);
  const p = new Float64Array(numClasses);
  for (let i = 0; i < rows.rowCount; i++) {
    const start = rows.rowStarts[i]!;
    const end = rows.rowStarts[i + 1]!;
    for (let k = 0; k < numClasses; k++) p[k] = theta[weightCount + k]!;
    for (let e = start; e < end; e++) {
      const x = rows.values[e]!;
      const w = rows.columns[e]! * numClasses;
      for (let k = 0; k < numClasses; k++) p[k]! += x * theta[w + k]!;
    }
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, p[k]!);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += Math.exp(p[k]! - max);
    const label = labels[i]!;
    loss += (max + Math.log(sum) - p[label]!) * perRow;
    // p becomes (softmax − onehot(label)) / n: the gradient of the loss w.r.t. the scores.
    for (let k = 0; k < numClasses; k++)
      p[k] = (Math.exp(p[k]! - max) / sum - (k === label ? 1 : 0)) * perRow;
    for (let k = 0; k < numClasses; k++) gradient[weightCount + k]! += p[k]!;
    for (let e = start; e < end; e++) {
      const x = rows.values[e]!;
      const w = rows.columns[e]! * numClasses;
      for (let k = 0; k < numClasses; k++) gradient[w + k]! += x * p[k]!;
    }
  }
  return loss;
}
