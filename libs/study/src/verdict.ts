// The verdict: sentences computed from the summary's numbers, never written by hand. The decision rule
// is the interval's: the pre-trained base helps when the whole 95% interval of the paired difference is
// above 0, hurts when it is below, and otherwise there is no measurable difference. With one pair there
// is no interval and so no verdict, only the number.
import type { PairedDifference } from './stats';
import type { BaselineArm, Budget, BudgetSummary, Metric, StudySummary } from './study-result';
import {
  ARM_NAMES,
  METRIC_NAMES,
  formatBudget,
  formatInterval,
  formatLevel,
  formatPoints,
  formatSeeds,
  formatSigned,
} from './format';

/** 'single_pair': one seed, no interval; 'no_pairs': nothing to compare (yet). */
export type VerdictKind = 'helps' | 'no_measurable_difference' | 'hurts' | 'single_pair' | 'no_pairs';

export interface VerdictOptions {
  /** The budget the headline speaks about; default the budget closest to 200 examples. */
  readonly headlineBudget?: Budget;
}

export interface Verdict {
  readonly metric: Metric;
  /** The headline budget; null when the summary has no budgets at all. */
  readonly budget: Budget | null;
  readonly budgetExamples: number | null;
  /** What pretrained − scratch at that budget says, and the difference itself (points). */
  readonly kind: VerdictKind;
  readonly difference: PairedDifference | null;
  /** pretrained − the better baseline at that budget ('helps' means the pre-trained model beats it). */
  readonly baseline: BaselineArm | null;
  readonly baselineKind: VerdictKind;
  readonly baselineDifference: PairedDifference | null;
  /** The two sentences: pre-trained vs scratch, then vs the better bag-of-words baseline. */
  readonly headline: string;
  readonly baselineLine: string;
}

/** The headline budget (the one closest to 200 examples unless given) and what its numbers say. */
export function computeVerdict(summary: StudySummary, options: VerdictOptions = {}): Verdict {
  const budget = options.headlineBudget ?? defaultHeadlineBudget(summary);
  const found = summary.budgets.find((b) => b.budget === budget);
  const metric = summary.metric;
  const vsScratch = found?.pretrainedVsScratch?.[metric] ?? null;
  const vsBaseline = found?.pretrainedVsBestBaseline ?? null;
  const baselineDifference = vsBaseline?.[metric] ?? null;
  return {
    metric,
    budget: budget ?? null,
    budgetExamples: found?.budgetExamples ?? null,
    kind: classify(vsScratch),
    difference: vsScratch,
    baseline: vsBaseline?.baseline ?? null,
    baselineKind: classify(baselineDifference),
    baselineDifference,
    headline: scratchSentence(summary, budget, found, vsScratch),
    baselineLine: baselineSentence(summary, budget, found, vsBaseline?.baseline ?? null, baselineDifference),
  };
}

/** The budget whose example count is closest to 200 (ties: the smaller); undefined with no budgets. */
export function defaultHeadlineBudget(summary: StudySummary): Budget | undefined {
  let best: BudgetSummary | undefined;
  for (const b of summary.budgets) {
    if (!best || Math.abs(b.budgetExamples - 200) < Math.abs(best.budgetExamples - 200)) best = b;
  }
  return best?.budget;
}

/** The interval rule of the file comment. */
export function classify(difference: PairedDifference | null): VerdictKind {
  if (!difference) return 'no_pairs';
  if (difference.lower === null || difference.upper === null) return 'single_pair';
  if (difference.lower > 0) return 'helps';
  if (difference.upper < 0) return 'hurts';
  return 'no_measurable_difference';
}

function scratchSentence(
  summary: StudySummary,
  budget: Budget | undefined,
  found: BudgetSummary | undefined,
  d: PairedDifference | null,
): string {
  if (budget === undefined) return 'No results yet.';
  const at = budgetText(budget, found);
  if (!d && found && !found.arms.some((a) => a.arm === 'scratch')) return withoutControl(summary, at, found);
  if (!d) return `No paired pre-trained and from-scratch results at ${at} yet.`;
  const points = `${formatSigned(d.mean)} points ${METRIC_NAMES[summary.metric]}`;
  switch (classify(d)) {
    case 'helps':
      return `${points} at ${at}, ${evidence(d, summary.level)}: the pre-trained base helps.`;
    case 'hurts':
      return `${points} at ${at}, ${evidence(d, summary.level)}: the pre-trained base hurts.`;
    case 'no_measurable_difference':
      return `No measurable head start at ${at} (${points}, ${evidence(d, summary.level)}).`;
    default:
      return `${points} at ${at} from 1 seed: one pair gives no confidence interval, so no verdict.`;
  }
}

/** A study that ran no from-scratch arm (its controls are another study's): the pre-trained score alone. */
function withoutControl(summary: StudySummary, at: string, found: BudgetSummary): string {
  const pretrained = found.arms.find((a) => a.arm === 'pretrained');
  if (!pretrained) return `No pre-trained results at ${at} yet.`;
  const m = summary.metric === 'accuracy' ? pretrained.accuracy : pretrained.macroF1;
  const ci =
    m.lower !== null && m.upper !== null
      ? `, ${formatLevel(summary.level)} CI ${formatInterval(m.lower, m.upper)}`
      : '';
  return (
    `Pre-trained: ${formatPoints(m.mean)} points ${METRIC_NAMES[summary.metric]} at ${at}${ci}, ` +
    `${formatSeeds(m.n)}; this study ran no from-scratch arm, so it gives no verdict on the head start.`
  );
}

function baselineSentence(
  summary: StudySummary,
  budget: Budget | undefined,
  found: BudgetSummary | undefined,
  baseline: BaselineArm | null,
  d: PairedDifference | null,
): string {
  if (budget === undefined) return 'No bag-of-words baseline results yet.';
  const at = budgetText(budget, found);
  if (found && !found.arms.some((a) => a.arm === 'naive_bayes' || a.arm === 'logistic_regression')) {
    return `This study ran no bag-of-words baseline at ${at}.`;
  }
  if (!baseline || !d) return `No bag-of-words baseline paired with the pre-trained model at ${at} yet.`;
  const against = `Against the better bag-of-words baseline at ${at} (${ARM_NAMES[baseline]})`;
  const points = `${formatSigned(d.mean)} points ${METRIC_NAMES[summary.metric]}`;
  switch (classify(d)) {
    case 'helps':
      return `${against}: ${points}, ${evidence(d, summary.level)}: the pre-trained model beats it.`;
    case 'hurts':
      return `${against}: ${points}, ${evidence(d, summary.level)}: the baseline is better.`;
    case 'no_measurable_difference':
      return `${against}: ${points}, ${evidence(d, summary.level)}: no measurable difference.`;
    default:
      return `${against}: ${points} from 1 seed: no confidence interval, so no verdict.`;
  }
}

/** "95% CI [8.9, 13.5], 5 seeds"; only for a difference that classify() gave an interval verdict. */
function evidence(d: PairedDifference, level: number): string {
  return `${formatLevel(level)} CI ${formatInterval(d.lower!, d.upper!)}, ${formatSeeds(d.n)}`;
}

function budgetText(budget: Budget, found: BudgetSummary | undefined): string {
  if (budget === 'all') return found ? formatBudget('all', found.budgetExamples) : 'all labels';
  return formatBudget(budget, budget);
}
