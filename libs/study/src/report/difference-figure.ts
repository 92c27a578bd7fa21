// Figure (c): the paired difference pretrained − scratch at each budget, a point with its 95% error
// bar and a dashed zero line. A bar that crosses zero is the picture of "no measurable head start".
import { formatLevel, formatSeeds, formatSigned, METRIC_NAMES } from '../format';
import type { PairedDifference } from '../stats';
import type { StudySummary } from '../study-result';
import { budgetTicks, emptyNote } from './figures';
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
} from './svg';

export const DIFFERENCE_FILE = 'paired-difference.svg';

const COLOR = '#1f77b4';

/** Figure (c) for the summary's primary metric. */
export function renderDifferenceFigure(summary: StudySummary): string {
  const name = METRIC_NAMES[summary.metric];
  const title = `Pre-trained − from scratch, ${name} (${summary.split} split)`;
  const description =
    `Mean paired difference in ${name} points (pre-trained minus from scratch, same seed and label draw) at each ` +
    `label budget, with ${formatLevel(summary.level)} confidence intervals; the dashed line is zero.`;
  const points = summary.budgets.flatMap((b) => {
    const d = b.pretrainedVsScratch?.[summary.metric];
    return d ? [{ examples: b.budgetExamples, d }] : [];
  });
  if (points.length === 0) return svgDocument(title, description, [emptyNote()]);
  const x = logScale(...budgetDomain(summary.budgets.map((b) => b.budgetExamples)), PLOT.left, PLOT.right);
  const values = points.flatMap(({ d }) => [d.mean, d.lower ?? d.mean, d.upper ?? d.mean]);
  // Zero is always on the axis: the figure's question is which side of it the bars fall.
  const yTicks = paddedTicks([0, ...values]);
  const y = linearScale(yTicks[0]!, yTicks[yTicks.length - 1]!, PLOT.bottom, PLOT.top);
  const zero = num(y(0));
  const body = [
    ...axes(
      x,
      y,
      budgetTicks(summary.budgets),
      yTicks,
      'labelled training examples (log scale)',
      `difference in ${name} (points)`,
    ),
    `<line class="zero" x1="${PLOT.left}" y1="${zero}" x2="${PLOT.right}" y2="${zero}" stroke="#333333" stroke-dasharray="5 4"/>`,
    '<g class="series" data-series="pretrained-minus-scratch">',
    ...points.flatMap(({ examples, d }) => errorBar(x(examples), y, d)),
    '</g>',
    ...legend(
      [{ label: 'pre-trained − scratch', color: COLOR, errorBar: true }],
      `mean, ${formatLevel(summary.level)} CI`,
    ),
    ...(points.some(({ d }) => d.lower === null) ? [singleSeedNote()] : []),
  ];
  return svgDocument(title, description, body);
}

function singleSeedNote(): string {
  return `<text x="${PLOT.right + 18}" y="${PLOT.top + 80}" font-size="11" fill="#555555">hollow: 1 seed, no CI</text>`;
}

/** A point with its interval as a capped vertical bar; hollow and barless when there is no interval. */
function errorBar(px: number, y: (v: number) => number, d: PairedDifference): string[] {
  const cx = num(px);
  const tip = `${formatSigned(d.mean)} points, ${formatSeeds(d.n)}, ${d.positive} positive`;
  const out: string[] = [];
  if (d.lower !== null && d.upper !== null) {
    const [top, bottom] = [num(y(d.upper)), num(y(d.lower))];
    out.push(
      `<line x1="${cx}" y1="${top}" x2="${cx}" y2="${bottom}" stroke="${COLOR}" stroke-width="2"/>`,
      `<line x1="${num(px - 6)}" y1="${top}" x2="${num(px + 6)}" y2="${top}" stroke="${COLOR}" stroke-width="2"/>`,
      `<line x1="${num(px - 6)}" y1="${bottom}" x2="${num(px + 6)}" y2="${bottom}" stroke="${COLOR}" stroke-width="2"/>`,
    );
  }
  const fill = d.lower === null ? '#ffffff' : COLOR;
  out.push(
    `<circle cx="${cx}" cy="${num(y(d.mean))}" r="4.5" fill="${fill}" stroke="${COLOR}" stroke-width="2"><title>${escapeXml(tip)}</title></circle>`,
    `<text x="${num(px + 9)}" y="${num(y(d.mean))}" dy="4" font-size="11" fill="#333333">${escapeXml(formatSigned(d.mean))}</text>`,
  );
  return out;
}
