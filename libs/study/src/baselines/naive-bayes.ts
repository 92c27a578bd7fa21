// Multinomial naive Bayes on raw word counts (scikit-learn's MultinomialNB with fit_prior=True):
//   log P(c | d) ∝ log P(c) + Σ_w n_w(d) · log θ_cw,   θ_cw = (N_cw + α) / (N_c + α·V)
// where N_cw is how often word w occurs in class c's training texts, N_c = Σ_w N_cw, V the vocabulary
// size and α the Lidstone smoothing (α = 1 is Laplace). P(c) is the class's share of the training texts;
// a class with no training text gets P(c) = 0 and is never predicted, since nothing supports it.
import { checkBaselineInput } from './check-input';
import { argmaxRows, linearScores, softmaxRows } from './scoring';
import { selectOnDev } from './select';
import type { BaselineInput, BaselineModel, Selection } from './types';
import { buildVocabulary, countVectors, type SparseRows, type Vocabulary } from './vectorize';

/** α values tried on dev, most smoothing first (ties keep the smoother model). */
export const NAIVE_BAYES_ALPHA_GRID: readonly number[] = [1, 0.3, 0.1, 0.03, 0.01];
/** α without a dev split: Laplace smoothing. */
export const NAIVE_BAYES_DEFAULT_ALPHA = 1;

export interface NaiveBayesInput extends BaselineInput {
  /** Overrides NAIVE_BAYES_ALPHA_GRID; every value must be > 0. */
  readonly alphaGrid?: readonly number[];
}

export interface NaiveBayesSettings {
  readonly model: 'multinomial_naive_bayes';
  readonly features: 'counts';
  readonly alpha: number;
  readonly selection: Selection;
}

export type NaiveBayesModel = BaselineModel<NaiveBayesSettings>;

interface Parameters {
  readonly logPrior: Float64Array;
  /** log θ, word-major: [word * numClasses + class]. */
  readonly logLikelihood: Float64Array;
}

/** Trains multinomial naive Bayes; deterministic (there is nothing random in it). */
export function trainNaiveBayes(input: NaiveBayesInput): NaiveBayesModel {
  checkBaselineInput(input);
  const grid = input.alphaGrid ?? NAIVE_BAYES_ALPHA_GRID;
  if (grid.some((alpha) => !(alpha > 0))) throw new RangeError('every alpha must be > 0');
  const vocabulary = buildVocabulary(input.texts);
  const counts = classWordCounts(countVectors(vocabulary, input.texts), input.labels, input.numClasses);
  const logPrior = classLogPrior(input.labels, input.numClasses);
  const fit = (alpha: number): Parameters => ({
    logPrior,
    logLikelihood: smoothedLogLikelihood(counts, input.numClasses, alpha),
  });
  const score = (params: Parameters, texts: readonly string[]): Float64Array =>
    linearScores(countVectors(vocabulary, texts), params.logLikelihood, params.logPrior);
  const chosen = selectOnDev(input, grid, NAIVE_BAYES_DEFAULT_ALPHA, fit, (params, texts) =>
    argmaxRows(score(params, texts), input.numClasses),
  );
  return makeModel(vocabulary, input.numClasses, chosen.model, {
    model: 'multinomial_naive_bayes',
    features: 'counts',
    alpha: chosen.value,
    selection: chosen.selection,
  });
}

function makeModel(
  vocabulary: Vocabulary,
  numClasses: number,
  params: Parameters,
  settings: NaiveBayesSettings,
): NaiveBayesModel {
  const score = (texts: readonly string[]): Float64Array =>
    linearScores(countVectors(vocabulary, texts), params.logLikelihood, params.logPrior);
  return {
    numClasses,
    vocabularySize: vocabulary.size,
    settings,
    predict: (texts) => argmaxRows(score(texts), numClasses),
    predictProba: (texts) => softmaxRows(score(texts), numClasses),
  };
}

/** N_cw, word-major, summed over each class's training rows. */
function classWordCounts(rows: SparseRows, labels: ArrayLike<number>, numClasses: number): Float64Array {
  const counts = new Float64Array(rows.columnCount * numClasses);
  for (let i = 0; i < rows.rowCount; i++) {
    const label = labels[i]!;
    for (let e = rows.rowStarts[i]!; e < rows.rowStarts[i + 1]!; e++) {
      counts[rows.columns[e]! * numClasses + label]! += rows.values[e]!;
    }
  }
  return counts;
}

/** log of each class's share of the training texts (-Infinity for an absent class). */
function classLogPrior(labels: ArrayLike<number>, numClasses: number): Float64Array {
  const texts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) texts[labels[i]!]!++;
  return texts.map((n) => Math.log(n / labels.length));
}

/** log θ_cw = log(N_cw + α) − log(N_c + α·V). */
function smoothedLogLikelihood(counts: Float64Array, numClasses: number, alpha: number): Float64Array {
  const vocabularySize = counts.length / numClasses;
  const logDenominator = new Float64Array(numClasses);
  for (let k = 0; k < numClasses; k++) {
    let total = 0;
    for (let j = 0; j < vocabularySize; j++) total += counts[j * numClasses + k]!;
    logDenominator[k] = Math.log(total + alpha * vocabularySize);
  }
  return counts.map((n, index) => Math.log(n + alpha) - logDenominator[index % numClasses]!);
}
