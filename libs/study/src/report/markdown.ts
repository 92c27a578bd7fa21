// report.md: the study for people. Title and identity, the verdict, a table of every budget × arm (both
// metrics, mean ± interval half-width, the baselines as rows beside the fine-tunes), the paired
// differences, and the figures. Metadata comes from the caller and is escaped; every number is ours.
import {
  ARM_NAMES,
  METRIC_NAMES,
  formatCount,
  formatInterval,
  formatLevel,
  formatPoints,
  formatSigned,
} from '../format';
import type { MeanInterval, PairedDifference } from '../stats';
import type { BudgetSummary } from '../study-result';
import { studyTitle, type Identity, type Study } from '../study';
import { DIFFERENCE_FILE } from './difference-figure';
import { CURVE_FILES } from './figures';

/** The Markdown report (GitHub-flavoured tables), ending in a newline. */
export function renderReportMarkdown(study: Study): string {
  const { metadata, summary, verdict } = study;
  const level = formatLevel(summary.level);
  const lines = [
    `# ${escapeMarkdown(studyTitle(metadata))}`,
    '',
    `- Dataset: ${identityText(metadata.dataset)}`,
    `- Pre-trained base: ${identityText(metadata.base)}`,
    `- Scores on the **${summary.split}** split, in points (× 100); means over seeds with ${level} Student-t confidence intervals; verdict metric: ${METRIC_NAMES[summary.metric]}.`,
    ...(metadata.createdAt ? [`- Created: ${escapeMarkdown(metadata.createdAt)}`] : []),
    '',
    '## Verdict',
    '',
    `**${verdict.headline}**`,
    '',
    verdict.baselineLine,
    '',
    '## Results',
    '',
    ...resultsTable(summary.budgets),
    '',
    `± is the half-width of the ${level} confidence interval over seeds; a score without ± comes from one seed, which gives no interval.`,
    '',
    '## Paired differences',
    '',
    ...differencesTable(summary.budgets, summary.metric),
    '',
    `Each pair shares its seed and label draw. Mean difference in points with its ${level} confidence interval; "positive" counts the pairs where the pre-trained model scored higher than from scratch. The better baseline is the one with the higher mean ${METRIC_NAMES[summary.metric]} at that budget.`,
    '',
    '## Figures',
    '',
    `![Accuracy vs labels](${CURVE_FILES.accuracy})`,
    '',
    `![Macro-F1 vs labels](${CURVE_FILES.macroF1})`,
    '',
    `![Paired difference, pre-trained − from scratch](${DIFFERENCE_FILE})`,
    ...(metadata.notes?.length
      ? ['', '## Notes', '', ...metadata.notes.map((n) => `- ${escapeMarkdown(n)}`)]
      : []),
    '',
  ];
  return lines.join('\n');
}

function resultsTable(budgets: readonly BudgetSummary[]): string[] {
  const rows = budgets.flatMap((b) =>
    b.arms.map((a) =>
      row([
        budgetCell(b),
        ARM_NAMES[a.arm],
        String(a.seeds.length),
        meanCell(a.accuracy),
        meanCell(a.macroF1),
      ]),
    ),
  );
  return [
    row(['Labels', 'Arm', 'Seeds', 'Accuracy', 'Macro-F1']),
    row(['---:', ':--', '---:', '---:', '---:']),
    ...rows,
  ];
}

function differencesTable(budgets: readonly BudgetSummary[], metric: 'accuracy' | 'macroF1'): string[] {
  const rows = budgets.map((b) => {
    const s = b.pretrainedVsScratch;
    const base = b.pretrainedVsBestBaseline;
    return row([
      budgetCell(b),
      s ? String(s.seeds.length) : '0',
      s ? differenceCell(s.accuracy) : '—',
      s ? differenceCell(s.macroF1) : '—',
      s ? `${s[metric].positive}/${s[metric].n}` : '—',
      base ? ARM_NAMES[base.baseline] : '—',
      base ? differenceCell(base.accuracy) : '—',
      base ? differenceCell(base.macroF1) : '—',
    ]);
  });
  return [
    row([
      'Labels',
      'Pairs',
      'Pre-trained − scratch, accuracy',
      'Pre-trained − scratch, macro-F1',
      `Positive (${METRIC_NAMES[metric]})`,
      'Better baseline',
      'Pre-trained − baseline, accuracy',
      'Pre-trained − baseline, macro-F1',
    ]),
    row(['---:', '---:', '---:', '---:', '---:', ':--', '---:', '---:']),
    ...rows,
  ];
}

function budgetCell(b: BudgetSummary): string {
  return b.budget === 'all' ? `all (${formatCount(b.budgetExamples)})` : formatCount(b.budget);
}

/** "71.3 ± 2.1", or "71.3" with one seed. */
function meanCell(m: MeanInterval): string {
  return m.halfWidth === null
    ? formatPoints(m.mean)
    : `${formatPoints(m.mean)} ± ${formatPoints(m.halfWidth)}`;
}

/** "+2.1 [0.3, 3.9]", or "+2.1 (1 pair, no CI)". */
function differenceCell(d: PairedDifference): string {
  if (d.lower === null || d.upper === null) return `${formatSigned(d.mean)} (1 pair, no CI)`;
  return `${formatSigned(d.mean)} ${formatInterval(d.lower, d.upper)}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function identityText(id: Identity): string {
  const version = id.version ? ` (version ${escapeMarkdown(id.version)})` : '';
  const details = Object.entries(id.details ?? {}).map(
    ([key, value]) =>
      `${escapeMarkdown(key)}: ${escapeMarkdown(typeof value === 'number' ? formatNumber(value) : String(value))}`,
  );
  return `**${escapeMarkdown(id.name)}**${version}${details.length ? ` — ${details.join(', ')}` : ''}`;
}

/** Integers with thousands separators; other numbers as given. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(value);
}

/** Caller text made inert: Markdown's punctuation backslash-escaped, line breaks flattened. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~&]/g, '\\$&');
}
