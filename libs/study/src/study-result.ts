// The study's data model and its summary. A trial is one fine-tune or baseline fit, scored on one split;
// the finetune service appends trials as they finish, and summarizeStudy can run on any subset (a
// study in progress summarises what it has). Scores go in as fractions in [0, 1] and come out of the
// summary in points (× 100), the unit the report speaks in.
import { meanConfidenceInterval, pairedDifference, type MeanInterval, type PairedDifference } from './stats';

/** A label budget: that many labelled training examples, or every one ('all'). */
export type Budget = number | 'all';
export type Arm = 'pretrained' | 'scratch' | 'naive_bayes' | 'logistic_regression';
export type BaselineArm = 'naive_bayes' | 'logistic_regression';
export type Split = 'test' | 'dev';
export type Metric = 'accuracy' | 'macroF1';

/** Every arm, in the order reports list them. */
export const ARMS: readonly Arm[] = ['pretrained', 'scratch', 'naive_bayes', 'logistic_regression'];
export const BASELINE_ARMS: readonly BaselineArm[] = ['naive_bayes', 'logistic_regression'];

export interface Trial {
  readonly budget: Budget;
  /** Training examples actually used: the budget, capped by the data; the training set size for 'all'. */
  readonly budgetExamples: number;
  /** The seed of the label draw and of training; trials with equal (budget, seed) share their labels. */
  readonly seed: number;
  readonly arm: Arm;
  readonly split: Split;
  /** Fractions in [0, 1]. */
  readonly accuracy: number;
  readonly macroF1: number;
  /** Optimizer steps (fine-tunes) and wall-clock seconds, when known. */
  readonly steps?: number;
  readonly seconds?: number;
}

export interface SummarizeOptions {
  /** The metric the verdict, the paired-difference figure and the best-baseline choice use. */
  readonly metric: Metric;
  /** Which split's trials to summarise; default 'test'. */
  readonly split?: Split;
  /** Confidence level of every interval; default 0.95. */
  readonly level?: number;
}

/** One arm at one budget, every number in points. */
export interface ArmSummary {
  readonly arm: Arm;
  /** The seeds summarised, ascending. */
  readonly seeds: readonly number[];
  readonly accuracy: MeanInterval;
  readonly macroF1: MeanInterval;
  /** Means over the trials that report them; null when none does. */
  readonly meanSteps: number | null;
  readonly meanSeconds: number | null;
}

/** Paired differences (first arm − second) over the seeds both arms have at one budget, in points. */
export interface PairedComparison {
  readonly seeds: readonly number[];
  readonly accuracy: PairedDifference;
  readonly macroF1: PairedDifference;
}

export interface BaselineComparison extends PairedComparison {
  /** The baseline with the higher mean (primary metric) at this budget. */
  readonly baseline: BaselineArm;
}

export interface BudgetSummary {
  readonly budget: Budget;
  /** The largest budgetExamples among the budget's trials (they agree unless the data ran short). */
  readonly budgetExamples: number;
  /** The arms with trials at this budget, in ARMS order. */
  readonly arms: readonly ArmSummary[];
  /** pretrained − scratch; null until at least one seed has both. */
  readonly pretrainedVsScratch: PairedComparison | null;
  /** pretrained − the better baseline; null until at least one seed has both. */
  readonly pretrainedVsBestBaseline: BaselineComparison | null;
}

export interface StudySummary {
  readonly metric: Metric;
  readonly split: Split;
  readonly level: number;
  /** Ascending by budget, 'all' last. */
  readonly budgets: readonly BudgetSummary[];
}

/** Per budget and arm: mean and interval of both metrics; per budget the paired differences. */
export function summarizeStudy(trials: readonly Trial[], options: SummarizeOptions): StudySummary {
  const split = options.split ?? 'test';
  const level = options.level ?? 0.95;
  trials.forEach(checkTrial);
  const byBudget = new Map<string, Trial[]>();
  for (const trial of trials.filter((t) => t.split === split)) {
    const group = byBudget.get(String(trial.budget)) ?? [];
    group.push(trial);
    byBudget.set(String(trial.budget), group);
  }
  const budgets = [...byBudget.values()]
    .map((group) => summarizeBudget(group, options.metric, level))
    .sort((a, b) => compareBudgets(a.budget, b.budget));
  return { metric: options.metric, split, level, budgets };
}

/** Orders budgets ascending, with 'all' after every number. */
export function compareBudgets(a: Budget, b: Budget): number {
  if (a === 'all' || b === 'all') return (a === 'all' ? 1 : 0) - (b === 'all' ? 1 : 0);
  return a - b;
}

/** Throws a RangeError naming the field when a trial cannot be summarised. */
export function checkTrial(trial: Trial): void {
  const where = `trial (budget ${trial.budget}, seed ${trial.seed}, arm ${trial.arm}, split ${trial.split})`;
  if (trial.budget !== 'all' && !(Number.isInteger(trial.budget) && trial.budget > 0)) {
    throw new RangeError(`${where}: budget must be a positive integer or 'all'`);
  }
  if (!(Number.isInteger(trial.budgetExamples) && trial.budgetExamples > 0)) {
    throw new RangeError(`${where}: budgetExamples must be a positive integer`);
  }
  if (!Number.isInteger(trial.seed)) throw new RangeError(`${where}: seed must be an integer`);
  if (!(ARMS as readonly string[]).includes(trial.arm)) throw new RangeError(`${where}: unknown arm`);
  if (trial.split !== 'test' && trial.split !== 'dev') throw new RangeError(`${where}: unknown split`);
  for (const metric of ['accuracy', 'macroF1'] as const) {
    const value = trial[metric];
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${where}: ${metric} ${value} is not in [0, 1]`);
  }
}

function summarizeBudget(trials: readonly Trial[], metric: Metric, level: number): BudgetSummary {
  const first = trials[0]!;
  const byArm = new Map<Arm, Map<number, Trial>>();
  for (const trial of trials) {
    const bySeed = byArm.get(trial.arm) ?? new Map<number, Trial>();
    if (bySeed.has(trial.seed)) {
      throw new RangeError(`two trials for budget ${trial.budget}, seed ${trial.seed}, arm ${trial.arm}`);
    }
    bySeed.set(trial.seed, trial);
    byArm.set(trial.arm, bySeed);
  }
  const arms = ARMS.filter((arm) => byArm.has(arm)).map((arm) => summarizeArm(arm, byArm.get(arm)!, level));
  const pretrained = byArm.get('pretrained');
  const scratch = byArm.get('scratch');
  return {
    budget: first.budget,
    budgetExamples: Math.max(...trials.map((t) => t.budgetExamples)),
    arms,
    pretrainedVsScratch: pretrained && scratch ? compare(pretrained, scratch, level) : null,
    pretrainedVsBestBaseline: pretrained ? compareBestBaseline(pretrained, arms, byArm, metric, level) : null,
  };
}

function summarizeArm(arm: Arm, bySeed: ReadonlyMap<number, Trial>, level: number): ArmSummary {
  const trials = [...bySeed.values()].sort((a, b) => a.seed - b.seed);
  const optionalMean = (values: (number | undefined)[]): number | null => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
  };
  return {
    arm,
    seeds: trials.map((t) => t.seed),
    accuracy: meanConfidenceInterval(
      trials.map((t) => 100 * t.accuracy),
      level,
    ),
    macroF1: meanConfidenceInterval(
      trials.map((t) => 100 * t.macroF1),
      level,
    ),
    meanSteps: optionalMean(trials.map((t) => t.steps)),
    meanSeconds: optionalMean(trials.map((t) => t.seconds)),
  };
}

/** a − b over the seeds both have; null when they share none. */
function compare(
  a: ReadonlyMap<number, Trial>,
  b: ReadonlyMap<number, Trial>,
  level: number,
): PairedComparison | null {
  const seeds = [...a.keys()].filter((seed) => b.has(seed)).sort((x, y) => x - y);
  if (seeds.length === 0) return null;
  const points = (trials: ReadonlyMap<number, Trial>, metric: Metric): number[] =>
    seeds.map((seed) => 100 * trials.get(seed)![metric]);
  return {
    seeds,
    accuracy: pairedDifference(points(a, 'accuracy'), points(b, 'accuracy'), level),
    macroF1: pairedDifference(points(a, 'macroF1'), points(b, 'macroF1'), level),
  };
}

/**
 * pretrained − the baseline with the higher mean on `metric` (ties: naive Bayes, listed first). Picking
 * the better baseline after seeing its scores favours the baseline, which only makes a win harder.
 */
function compareBestBaseline(
  pretrained: ReadonlyMap<number, Trial>,
  arms: readonly ArmSummary[],
  byArm: ReadonlyMap<Arm, ReadonlyMap<number, Trial>>,
  metric: Metric,
  level: number,
): BaselineComparison | null {
  let best: ArmSummary | undefined;
  for (const summary of arms) {
    if (summary.arm !== 'naive_bayes' && summary.arm !== 'logistic_regression') continue;
    if (!best || summary[metric].mean > best[metric].mean) best = summary;
  }
  if (!best) return null;
  const comparison = compare(pretrained, byArm.get(best.arm)!, level);
  return comparison && { ...comparison, baseline: best.arm as BaselineArm };
}
