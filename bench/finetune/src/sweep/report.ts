// The sweep's table: per entry, dev (or test) accuracy and macro-F1 as mean [95% CI] over seeds, and the
// paired difference with the grid's first entry over the seeds both have (same label draw and seed).
import { meanConfidenceInterval, pairedDifference, type MeanInterval } from '@headstart/study';
import type { TrialResult } from './trial';

export interface SweepRecord extends TrialResult {
  entry: string;
  seed: number;
  budget: number;
  test: boolean;
  base: string;
  task: string;
}

const points = (x: number) => (100 * x).toFixed(1);

function interval(m: MeanInterval): string {
  if (m.lower === null || m.upper === null) return `${points(m.mean)} (1 seed)`;
  return `${points(m.mean)} [${points(m.lower)}, ${points(m.upper)}]`;
}

function signed(m: MeanInterval): string {
  const sign = m.mean >= 0 ? '+' : '';
  if (m.lower === null || m.upper === null) return `${sign}${points(m.mean)}`;
  return `${sign}${points(m.mean)} [${points(m.lower)}, ${points(m.upper)}]`;
}

/** Prints a markdown table (paste-able into docs/benchmarks.md). */
export function printSweepTable(
  order: readonly string[],
  records: readonly SweepRecord[],
  test: boolean,
): void {
  const metric = (r: SweepRecord, which: 'accuracy' | 'macroF1') =>
    test
      ? ((which === 'accuracy' ? r.testAccuracy : r.testMacroF1) as number)
      : which === 'accuracy'
        ? r.devAccuracy
        : r.devMacroF1;
  const bySeed = (name: string) => new Map(records.filter((r) => r.entry === name).map((r) => [r.seed, r]));
  const reference = bySeed(order[0] as string);
  const split = test ? 'test' : 'dev';
  console.log(
    `\n| entry | seeds | ${split} accuracy | ${split} macro-F1 | Δ accuracy vs ${order[0]} (paired) | steps | s/trial |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const name of order) {
    const mine = bySeed(name);
    const rows = [...mine.values()];
    if (rows.length === 0) continue;
    const shared = [...mine.keys()].filter((seed) => reference.has(seed));
    const diff = pairedDifference(
      shared.map((s) => metric(mine.get(s) as SweepRecord, 'accuracy')),
      shared.map((s) => metric(reference.get(s) as SweepRecord, 'accuracy')),
    );
    const avg = (f: (r: SweepRecord) => number) => rows.reduce((sum, r) => sum + f(r), 0) / rows.length;
    console.log(
      `| ${name} | ${rows.length} | ${interval(meanConfidenceInterval(rows.map((r) => metric(r, 'accuracy'))))} | ` +
        `${interval(meanConfidenceInterval(rows.map((r) => metric(r, 'macroF1'))))} | ` +
        `${name === order[0] ? '—' : `${signed(diff)} (${diff.positive}/${diff.n} seeds up)`} | ` +
        `${Math.round(avg((r) => r.steps))} | ${avg((r) => r.seconds).toFixed(1)} |`,
    );
  }
}
