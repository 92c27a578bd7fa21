// Figures (a) and (b): a metric against the label budget, one line per arm with its 95% band. The x
// axis is logarithmic with a tick at each budget (labelled with the budget; 'all' also shows its count).
import { formatCount, formatLevel, ARM_NAMES, METRIC_NAMES } from '../format';
import type { MeanInterval } from '../stats';
import { ARMS, type Arm, type BudgetSummary, type Metric, type StudySummary } from '../study-result';
import {
  PLOT,
  axes,
  budgetDomain,
  escapeXml,
  legend,
  linearScale,
  logScale,
  paddedTicks,
  num,
  svgDocument,
  type Scale,
  type XTick,
} from './svg';

/** Colour and dash per arm: the fine-tuned arms solid, the bag-of-words baselines dashed. */
export const ARM_STYLE: Readonly<Record<Arm, { color: string; dash?: string }>> = {
  pretrained: { color: '#1f77b4' },
  scratch: { color: '#d62728' },
  naive_bayes: { color: '#2ca02c', dash: '6 4' },
  logistic_regression: { color: '#9467bd', dash: '2 3' },
};

/** The figure's file name for a metric, as the Markdown report links it. */
export const CURVE_FILES: Readonly<Record<Metric, string>> = {
  accuracy: 'accuracy.svg',
  macroF1: 'macro-f1.svg',
};

/** Tick per budget; 'all' gets its example count as a second line. */
export function budgetTicks(budgets: readonly BudgetSummary[]): XTick[] {
  return budgets.map((b) =>
    b.budget === 'all'
      ? { value: b.budgetExamples, label: 'all', sublabel: `(${formatCount(b.budgetExamples)})` }
      : { value: b.budgetExamples, label: formatCount(b.budget) },
  );
}

/** Figure (a) or (b): `metric` in points against labels, every arm the summary has. */
export function renderCurveFigure(summary: StudySummary, metric: Metric): string {
  const name = METRIC_NAMES[metric];
  const title = `${capitalise(name)} vs labels (${summary.split} split)`;
  const arms = ARMS.filter((arm) => summary.budgets.some((b) => b.arms.some((a) => a.arm === arm)));
  const description =
    `Mean ${name} in points against the number of labelled training examples (log scale), one line per arm ` +
    `(${arms.map((a) => ARM_NAMES[a]).join(', ')}), shaded ${formatLevel(summary.level)} confidence band over seeds.`;
  if (summary.budgets.length === 0) return svgDocument(title, description, [emptyNote()]);
  const x = logScale(...budgetDomain(summary.budgets.map((b) => b.budgetExamples)), PLOT.left, PLOT.right);
  const yTicks = yTicksFor(summary, metric);
  const y = linearScale(yTicks[0]!, yTicks[yTicks.length - 1]!, PLOT.bottom, PLOT.top);
  const body = [
    ...axes(
      x,
      y,
      budgetTicks(summary.budgets),
      yTicks,
      'labelled training examples (log scale)',
      `${name} (points)`,
    ),
    ...arms.flatMap((arm) => series(summary, metric, arm, x, y)),
    ...legend(
      arms.map((arm) => ({ label: ARM_NAMES[arm], ...ARM_STYLE[arm], band: true })),
      `mean, ${formatLevel(summary.level)} CI`,
    ),
  ];
  return svgDocument(title, description, body);
}

/** One arm: its band (where seeds give an interval), its line and its points. */
function series(summary: StudySummary, metric: Metric, arm: Arm, x: Scale, y: Scale): string[] {
  const points = summary.budgets.flatMap((b) => {
    const found = b.arms.find((a) => a.arm === arm);
    return found ? [{ examples: b.budgetExamples, value: found[metric], seeds: found.seeds.length }] : [];
  });
  const { color, dash } = ARM_STYLE[arm];
  const out = [`<g class="series" data-arm="${arm}">`];
  for (const run of intervalRuns(points.map((p) => ({ examples: p.examples, value: p.value })))) {
    out.push(band(run, x, y, color));
  }
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(p.examples))},${num(y(p.value.mean))}`)
    .join(' ');
  const dashAttribute = dash ? ` stroke-dasharray="${dash}"` : '';
  out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dashAttribute}/>`);
  for (const p of points) {
    const tip = `${ARM_NAMES[arm]}: ${num(p.value.mean)} (${p.seeds} seed${p.seeds === 1 ? '' : 's'})`;
    out.push(
      `<circle cx="${num(x(p.examples))}" cy="${num(y(p.value.mean))}" r="3.5" fill="${color}"><title>${escapeXml(tip)}</title></circle>`,
    );
  }
  out.push('</g>');
  return out;
}

interface Point {
  readonly examples: number;
  readonly value: MeanInterval;
}

/** Maximal runs of consecutive points that have an interval: a band never bridges a one-seed point. */
function intervalRuns(points: readonly Point[]): Point[][] {
  const runs: Point[][] = [[]];
  for (const p of points) {
    if (p.value.lower === null) runs.push([]);
    else runs[runs.length - 1]!.push(p);
  }
  return runs.filter((run) => run.length > 0);
}

/** A shaded polygon from the upper bounds left to right and back along the lower bounds. */
function band(run: readonly Point[], x: Scale, y: Scale, color: string): string {
  if (run.length === 1) {
    // One point has no width to shade: draw its interval as a vertical bar instead.
    const p = run[0]!;
    const px = num(x(p.examples));
    return `<line class="band" x1="${px}" y1="${num(y(p.value.lower!))}" x2="${px}" y2="${num(y(p.value.upper!))}" stroke="${color}" stroke-opacity="0.35" stroke-width="8"/>`;
  }
  const upper = run.map((p) => `${num(x(p.examples))},${num(y(p.value.upper!))}`);
  const lower = [...run].reverse().map((p) => `${num(x(p.examples))},${num(y(p.value.lower!))}`);
  return `<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`;
}

/** Round y ticks covering every mean and interval bound of `metric`. */
function yTicksFor(summary: StudySummary, metric: Metric): number[] {
  const values = summary.budgets.flatMap((b) =>
    b.arms.flatMap((a) =>
      [a[metric].mean, a[metric].lower, a[metric].upper].filter((v): v is number => v !== null),
    ),
  );
  return paddedTicks(values);
}

export function emptyNote(): string {
  return `<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" font-size="14" fill="#666666">no results yet</text>`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
