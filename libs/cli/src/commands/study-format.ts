// How a transfer study reads on a terminal: its progress line, its record, its trials as a table.
import { formatJobState, isTerminalJobState } from '@headstart/finetune-client';
import { common, finetune } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { formatTime, list, versionLabel } from '../format';
import { formatDuration } from '../job-progress';
import type { Output } from '../output';

/** The proto3 JSON mapping, as every --json output (see ../format). */
export const studyJson = (study: finetune.Study): unknown => finetune.Study.toJSON(study);

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A label budget as requested: 0 is "all" (with the number of examples that meant, once known). */
export function formatBudget(budget: number, examples = 0): string {
  if (budget !== 0) return String(budget);
  return examples > 0 ? `all (${examples})` : 'all';
}

// The service lists trials in queue order; people read them by arm in this order, then any other arm.
const ARMS = ['pretrained', 'scratch', 'naive_bayes', 'logistic_regression'];
const armRank = (arm: string): number => (ARMS.includes(arm) ? ARMS.indexOf(arm) : ARMS.length);
// "all" (0) is the largest budget, so it sorts last.
const budgetRank = (budget: number): number => (budget === 0 ? Infinity : budget);

/** Trials by budget, seed, then arm: each (budget, seed) group is one paired comparison. */
export function sortTrials(trials: readonly finetune.StudyTrial[]): finetune.StudyTrial[] {
  return [...trials].sort(
    (a, b) =>
      budgetRank(a.labelBudget) - budgetRank(b.labelBudget) ||
      a.seed - b.seed ||
      armRank(a.arm) - armRank(b.arm) ||
      a.arm.localeCompare(b.arm),
  );
}

/** `pretrained 3/10, scratch 3/10, …`: finished trials of each arm. */
export function armCounts(trials: readonly finetune.StudyTrial[]): string {
  const counts = new Map<string, { finished: number; total: number }>();
  for (const trial of [...trials].sort((a, b) => armRank(a.arm) - armRank(b.arm))) {
    const count = counts.get(trial.arm) ?? { finished: 0, total: 0 };
    count.total += 1;
    if (isTerminalJobState(trial.state)) count.finished += 1;
    counts.set(trial.arm, count);
  }
  return [...counts].map(([arm, c]) => `${arm} ${c.finished}/${c.total}`).join(', ');
}

/** `running: 12/40 trials (pretrained 3/10, …)`, or the state and its error. */
export function describeStudyProgress(study: finetune.Study): string {
  const state = formatJobState(study.state);
  const arms = armCounts(study.trials);
  const progress = `${study.trialsFinished}/${study.trialsTotal} trials${arms === '' ? '' : ` (${arms})`}`;
  const cancelling = study.cancelRequested && !isTerminalJobState(study.state) ? ', cancel requested' : '';
  return study.error === '' ? `${state}: ${progress}${cancelling}` : `${state}: ${progress}: ${study.error}`;
}

function resolved(version: finetune.ResolvedVersion | undefined, ref: common.VersionRef | undefined): string {
  if (version) return versionLabel(version);
  return ref ? formatVersionRef(ref) : '-';
}

function elapsed(study: finetune.Study): string {
  if (study.createdAt === undefined) return '-';
  return formatDuration(((study.finishedAt ?? new Date()).getTime() - study.createdAt.getTime()) / 1000);
}

function design(spec: finetune.StudySpec | undefined): string {
  if (spec === undefined) return '-';
  const budgets = spec.labelBudgets.map((b) => formatBudget(b)).join(', ') || 'default';
  const seeds = spec.seeds === undefined ? 'default' : String(spec.seeds);
  const headline = spec.headlineBudget === 0 ? 'closest to 200' : String(spec.headlineBudget);
  return `budgets ${budgets}; ${seeds} seeds; headline ${headline}`;
}

/** The trials as a table (budget, seed, arm order): arm, budget, seed, state, test scores if succeeded. */
export function trialsTable(out: Output, trials: readonly finetune.StudyTrial[]): string {
  const succeeded = (t: finetune.StudyTrial) => t.state === common.JobState.JOB_STATE_SUCCEEDED;
  return out.table(
    [
      { header: 'arm' },
      { header: 'budget', align: 'right' },
      { header: 'seed', align: 'right' },
      { header: 'state' },
      { header: 'test acc', align: 'right' },
      { header: 'macro-F1', align: 'right' },
    ],
    sortTrials(trials).map((t) => [
      t.arm,
      formatBudget(t.labelBudget, t.budgetExamples),
      String(t.seed),
      t.error === '' ? formatJobState(t.state) : `${formatJobState(t.state)}: ${t.error}`,
      succeeded(t) ? percent(t.testAccuracy) : '-',
      succeeded(t) ? t.testMacroF1.toFixed(4) : '-',
    ]),
  );
}

/** The study's record, then its Markdown table (as the report has it), then its trials. */
export function describeStudy(out: Output, study: finetune.Study): string {
  const fields: Array<[string, string]> = [
    ['study', study.id],
    ['state', describeStudyProgress(study)],
    ['base', resolved(study.baseVersion, study.spec?.baseModel)],
    ['dataset', resolved(study.datasetVersion, study.spec?.dataset)],
    ['design', design(study.spec)],
    ['report', study.reportVersion ? versionLabel(study.reportVersion) : '-'],
    ['trigger', study.triggerId || '-'],
    ['tags', list(study.spec?.tags ?? [])],
    ['created', formatTime(study.createdAt)],
    ['elapsed', elapsed(study)],
    ['verdict', study.verdict || '-'],
  ];
  for (const w of study.warnings) fields.push(['warning', w]);
  if (study.error !== '') fields.push(['error', `${study.error} (${study.errorCode})`]);
  const parts = [out.fields(fields)];
  if (study.table.trim() !== '') parts.push(`\n${study.table.trimEnd()}\n`);
  if (study.trials.length > 0) parts.push(`\n${trialsTable(out, study.trials)}`);
  return parts.join('');
}

/** One row of `study ls`. */
export function studyRow(study: finetune.Study): string[] {
  return [
    study.id,
    formatJobState(study.state),
    resolved(study.baseVersion, study.spec?.baseModel),
    resolved(study.datasetVersion, study.spec?.dataset),
    `${study.trialsFinished}/${study.trialsTotal}`,
    study.reportVersion ? versionLabel(study.reportVersion) : '-',
    formatTime(study.createdAt),
    study.verdict || '-',
  ];
}
