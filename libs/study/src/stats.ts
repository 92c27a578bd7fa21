// Summary statistics for a handful of seeds. The 95% interval for a mean is Student's t interval,
//   mean ± t(0.975, n − 1) · s / √n,   s the sample standard deviation (n − 1 in the denominator),
// which is exact for normal data and the honest choice for 3–10 seeds (the normal 1.96 would be far too
// narrow: t(0.975, 2) = 4.30). With one value there is no spread to estimate, so the interval is null:
// the report says so rather than inventing one.
import { studentTQuantile } from './student-t';

export interface MeanInterval {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation; null when n < 2. */
  readonly sd: number | null;
  /** t(1 − (1 − level)/2, n − 1) · sd / √n; null when n < 2. */
  readonly halfWidth: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
}

export interface PairedDifference extends MeanInterval {
  /** Pairs with a − b > 0, < 0 and = 0: "4 of 5 seeds better" is easier to read than an interval. */
  readonly positive: number;
  readonly negative: number;
  readonly ties: number;
}

/** Arithmetic mean; throws on an empty list, whose mean is undefined. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the mean of no values is undefined');
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}

/** Sample standard deviation (n − 1 denominator); null for fewer than two values. */
export function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  const squares = values.reduce((sum, x) => sum + (x - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/** Mean with its Student-t confidence interval (default 95%); the interval is null for n < 2. */
export function meanConfidenceInterval(values: readonly number[], level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const n = values.length;
  const m = mean(values);
  const sd = sampleStd(values);
  if (sd === null) return { n, mean: m, sd, halfWidth: null, lower: null, upper: null, level };
  const halfWidth = (studentTQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, halfWidth, lower: m - halfWidth, upper: m + halfWidth, level };
}

/**
 * The mean of a[i] − b[i] over matched pairs (same seed and label draw) with its t interval: pairing
 * removes the between-seed variance both arms share, so it is much tighter than comparing two means.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`${a.length} values cannot pair with ${b.length}`);
  const differences = a.map((x, i) => x - b[i]!);
  return {
    ...meanConfidenceInterval(differences, level),
    positive: differences.filter((d) => d > 0).length,
    negative: differences.filter((d) => d < 0).length,
    ties: differences.filter((d) => d === 0).length,
  };
}
