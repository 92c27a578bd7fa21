// Number and label formatting shared by the verdict and the report, so both say the same thing the same
// way. Locale-independent on purpose: reports are compared across machines.
import type { Arm, Budget, Metric } from './study-result';

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Points with one decimal: 71.25 → "71.3"; a value that rounds to zero prints as "0.0", never "-0.0". */
export function formatPoints(x: number): string {
  const rounded = Math.round(x * 10) / 10;
  return (rounded === 0 ? 0 : rounded).toFixed(1);
}

/** A difference with its sign: "+2.1", "-0.4", "0.0". */
export function formatSigned(x: number): string {
  const text = formatPoints(x);
  return text.startsWith('-') || text === '0.0' ? text : `+${text}`;
}

/** "[lo, hi]" of an interval, one decimal. */
export function formatInterval(lower: number, upper: number): string {
  return `[${formatPoints(lower)}, ${formatPoints(upper)}]`;
}

/** "95%" for 0.95. */
export function formatLevel(level: number): string {
  return `${Number((level * 100).toFixed(1))}%`;
}

/** "200 labels"; "all 4,913 labels" for the full training set. */
export function formatBudget(budget: Budget, budgetExamples: number): string {
  return budget === 'all' ? `all ${formatCount(budgetExamples)} labels` : `${formatCount(budget)} labels`;
}

/** "1 seed", "5 seeds". */
export function formatSeeds(n: number): string {
  return n === 1 ? '1 seed' : `${n} seeds`;
}

export const METRIC_NAMES: Readonly<Record<Metric, string>> = { accuracy: 'accuracy', macroF1: 'macro-F1' };

export const ARM_NAMES: Readonly<Record<Arm, string>> = {
  pretrained: 'pre-trained',
  scratch: 'from scratch',
  naive_bayes: 'naive Bayes',
  logistic_regression: 'logistic regression',
};
