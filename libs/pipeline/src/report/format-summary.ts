// The main job's closing summary on a terminal: what a person reads first (the verdict, each study's
// test accuracy per arm with its interval, the paired differences, the adaptation's gain), in about thirty
// lines. Everything else (data, curves, fine-tunes, predictions, lineage, versions) is in the full report
// written beside the JSON one.
import type { PipelineReport, PointsDifference, StudyBudgetResult } from './report-types';

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

const ARM_COLUMNS: ReadonlyArray<[string, string]> = [
  ['pretrained', 'pre-trained'],
  ['scratch', 'scratch'],
  ['naive_bayes', 'naive Bayes'],
  ['logistic_regression', 'log. reg.'],
];

function arm(result: StudyBudgetResult, name: string): string {
  const a = result.arms[name];
  if (!a) return '—';
  return a.halfWidth === null ? f(a.accuracy) : `${f(a.accuracy)} ± ${f(a.halfWidth)}`;
}

function difference(d: PointsDifference | null): string {
  if (!d) return '—';
  return d.lower === null || d.upper === null
    ? signed(d.mean)
    : `${signed(d.mean)} [${signed(d.lower)}, ${signed(d.upper)}]`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`);
}

/** One table row per (study, budget): test accuracy of each arm and the paired differences. */
function studyRows(report: PipelineReport): string[][] {
  return report.studies.flatMap((s) =>
    s.results.map((r) => [
      s.task,
      r.budget === 0 ? `all (${int(r.budgetExamples)})` : int(r.budget),
      ...ARM_COLUMNS.map(([name]) => arm(r, name)),
      difference(r.vsScratch),
      difference(r.vsBestBaseline),
    ]),
  );
}

export function formatSummary(report: PipelineReport, files: { text: string; json: string }): string {
  const p = report.pretrain;
  const out: string[] = [
    `Headstart main job: ${f(report.durationSeconds / 60)} min on ${report.backend.name} (${report.backend.threads} threads)`,
    '',
    `pre-training  ${p.finalCheckpoint}: ${int(p.tokens)} tokens in ${f(p.trainingSeconds / 60)} min ` +
      `(${int(p.tokensPerSecond)} tokens/s), MLM eval loss ${f(p.finalEvalLoss, 3)} (unigram ${f(p.unigram.validationCrossEntropy, 3)})`,
  ];
  const a = report.adaptation;
  if (a) {
    out.push(
      `adaptation    ${a.checkpoint}: ${int(a.steps)} steps on ${a.corpus} in ${f(a.trainingSeconds, 0)} s, eval loss ${f(a.finalEvalLoss, 3)}`,
    );
  }
  out.push(
    '',
    'Test accuracy (points, mean ± 95% CI over seeds; differences paired by seed):',
    ...table(
      [
        'study',
        'labels',
        ...ARM_COLUMNS.map(([, title]) => title),
        'pre-trained − scratch',
        'pre-trained − best BoW',
      ],
      studyRows(report),
    ),
    '',
    'Verdict:',
    ...report.verdict.split('\n').map((line) => `  ${line}`),
    '',
    `full report: ${files.text}`,
    `JSON: ${files.json}; study reports and figures: ${
      report.studies
        .map((s) => s.folder)
        .filter(Boolean)
        .join(', ') || 'none'
    }`,
  );
  return out.join('\n');
}
