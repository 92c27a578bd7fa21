// What both bag-of-words baselines take and give, so the finetune service can treat them alike.
import type { Labels } from '../metrics';

/** Texts with their class indices. */
export interface LabelledTexts {
  readonly texts: readonly string[];
  readonly labels: Labels;
}

export interface BaselineInput extends LabelledTexts {
  /** Number of classes of the task (labels are 0..numClasses-1), even if some are absent here. */
  readonly numClasses: number;
  /** When given, the hyper-parameter is chosen on it from the grid; otherwise the default is used. */
  readonly dev?: LabelledTexts;
  /** The dev score the grid search maximises; default 'macroF1'. */
  readonly selectBy?: 'accuracy' | 'macroF1';
}

/** One grid point tried on dev, and its score there (a fraction in [0, 1]). */
export interface GridScore {
  readonly value: number;
  readonly devScore: number;
}

/** How the hyper-parameter was set: chosen on dev (with every grid score) or the documented default. */
export interface Selection {
  readonly selectedOn: 'dev' | 'default';
  readonly selectBy: 'accuracy' | 'macroF1';
  /** Empty when selectedOn is 'default'. */
  readonly grid: readonly GridScore[];
}

export interface BaselineModel<Settings> {
  readonly numClasses: number;
  /** Distinct training words: the feature count. */
  readonly vocabularySize: number;
  readonly settings: Settings;
  /** The most probable class of each text (ties go to the lower class index). */
  predict(texts: readonly string[]): Int32Array;
  /** Class probabilities, row-major: texts.length × numClasses. */
  predictProba(texts: readonly string[]): Float64Array;
}
