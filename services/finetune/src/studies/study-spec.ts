// Defaults and validation of a study, and the trials it runs. Every problem names its field; the arms'
// hyper-parameters are checked by the fine-tune spec's own rules (a study only runs valid fine-tunes).
import { finetune } from '@headstart/proto';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE, Problems, TAG_PATTERN, TAG_RULE } from '../spec/problems';
import { resolveSpec } from '../spec/resolve-spec';

export const STUDY_DEFAULTS = Object.freeze({
  /** 0 is every training example. */
  labelBudgets: Object.freeze([50, 100, 200, 500, 0]),
  seeds: 5,
  /** The verdict's budget when none is set: the closest to this. */
  headline: 200,
  maxSeeds: 50,
  maxBudgets: 20,
});

export const STUDY_ARMS = ['pretrained', 'scratch', 'naive_bayes', 'logistic_regression'] as const;
export type StudyArm = (typeof STUDY_ARMS)[number];

export interface PlannedTrial {
  arm: StudyArm;
  /** As requested (0: all). */
  labelBudget: number;
  budgetExamples: number;
  seed: number;
}

/** Default name of the REPORT model: `<base>-<dataset>-study`. */
export function defaultReportName(baseName: string, datasetName: string): string {
  return `${baseName}-${datasetName}-study`.slice(0, 128);
}

function checkArm(h: finetune.FinetuneHyperparameters | undefined, field: string, problems: Problems): void {
  const { problems: found } = resolveSpec(
    finetune.FinetuneSpec.fromPartial({
      dataset: { name: 'x', selector: { $case: 'latest', latest: true } },
      hyperparameters: h ?? {},
    }),
    { baseName: 'x', requireBaseRef: false },
  );
  for (const p of found.list) {
    problems.add(p.field.replace('spec.hyperparameters', field), p.message.replace(/^[^:]*: /, ''));
  }
}

/** Fills the defaults in and lists every bad field (the data-dependent checks come later). */
export function resolveStudySpec(
  spec: finetune.StudySpec,
  options: { baseName: string; requireBaseRef: boolean },
): { spec: finetune.StudySpec; problems: Problems } {
  const problems = new Problems();
  if (options.requireBaseRef && !spec.baseModel?.name) problems.add('spec.base_model', 'is required');
  if (!spec.dataset?.name) problems.add('spec.dataset', 'is required');
  const seeds = spec.seeds ?? STUDY_DEFAULTS.seeds;
  if (!Number.isSafeInteger(seeds) || seeds < 2 || seeds > STUDY_DEFAULTS.maxSeeds) {
    problems.add(
      'spec.seeds',
      `${seeds} seeds: a study needs 2 to ${STUDY_DEFAULTS.maxSeeds} (one seed gives no confidence interval)`,
    );
  }
  const requested = spec.labelBudgets.length > 0 ? spec.labelBudgets : STUDY_DEFAULTS.labelBudgets;
  if (requested.length > STUDY_DEFAULTS.maxBudgets) {
    problems.add('spec.label_budgets', `${requested.length} budgets, at most ${STUDY_DEFAULTS.maxBudgets}`);
  }
  requested.forEach((b, i) => {
    if (b === 1) problems.add(`spec.label_budgets[${i}]`, 'a budget of 1 label cannot hold two classes');
  });
  checkArm(spec.pretrainedHyperparameters, 'spec.pretrained_hyperparameters', problems);
  checkArm(spec.scratchHyperparameters, 'spec.scratch_hyperparameters', problems);
  const reportModelName =
    spec.reportModelName ||
    (options.baseName && spec.dataset?.name ? defaultReportName(options.baseName, spec.dataset.name) : '');
  if (reportModelName !== '') {
    problems.pattern('spec.report_model_name', reportModelName, MODEL_NAME_PATTERN, MODEL_NAME_RULE);
  }
  spec.tags.forEach((tag, i) => problems.pattern(`spec.tags[${i}]`, tag, TAG_PATTERN, TAG_RULE));
  const arms = resolveArms(spec.arms, problems);
  const data = finetune.DatasetOptions.fromPartial({ ...(spec.data ?? {}), labelBudget: 0, budgetSeed: 0 });
  return {
    spec: { ...spec, seeds, labelBudgets: [...new Set(requested)], reportModelName, data, arms },
    problems,
  };
}

/** The arms to run, in STUDY_ARMS order; every arm when none is named. The pre-trained arm is required. */
function resolveArms(requested: readonly string[], problems: Problems): StudyArm[] {
  if (requested.length === 0) return [...STUDY_ARMS];
  requested.forEach((arm, i) => {
    if (!(STUDY_ARMS as readonly string[]).includes(arm)) {
      problems.add(
        `spec.arms[${i}]`,
        `unknown arm ${JSON.stringify(arm.slice(0, 40))}: one of ${STUDY_ARMS.join(', ')}`,
      );
    }
  });
  if (!requested.includes('pretrained')) {
    problems.add('spec.arms', 'must include "pretrained": a study is about the base');
  }
  return STUDY_ARMS.filter((arm) => requested.includes(arm));
}

/** The arms a resolved spec runs (records stored before arms existed run all four). */
export function armsOf(spec: finetune.StudySpec | undefined): StudyArm[] {
  const named = spec?.arms ?? [];
  return named.length === 0 ? [...STUDY_ARMS] : STUDY_ARMS.filter((arm) => named.includes(arm));
}

/**
 * The checks that need the data: a dev split (the fine-tunes choose their weights on it) and a test
 * split, budgets the training split can give. Without explicit budgets, those larger than the training
 * split are dropped. Returns the budgets to run, sorted, "all" last.
 */
export function budgetsForData(
  spec: finetune.StudySpec,
  explicit: boolean,
  data: { train: number; dev: number; test: number; classes: number },
  problems: Problems,
): number[] {
  if (data.dev === 0) {
    problems.add('spec.data.dev_split', 'the dataset has no dev examples: a study chooses weights on dev');
  }
  if (data.test === 0) problems.add('spec.data.test_split', 'the dataset has no test examples to score');
  const budgets: number[] = [];
  spec.labelBudgets.forEach((b, i) => {
    if (b > data.train && explicit) {
      problems.add(
        `spec.label_budgets[${i}]`,
        `${b} labels is more than the training split's ${data.train} examples`,
      );
    } else if (b <= data.train) budgets.push(b);
  });
  if (budgets.length === 0) problems.add('spec.label_budgets', 'no budget fits the training split');
  return budgets.sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
}

/** The budget closest to `wanted` (0: the default headline), for the verdict. */
export function headlineBudget(budgets: readonly number[], wanted: number, train: number): number {
  const target = wanted || STUDY_DEFAULTS.headline;
  const size = (b: number) => (b === 0 ? train : b);
  return [...budgets].sort((a, b) => Math.abs(size(a) - target) - Math.abs(size(b) - target))[0] ?? 0;
}

/** Every trial, seed by seed: after each seed the whole curve exists, so a partial study already reads. */
export function planTrials(
  budgets: readonly number[],
  seeds: number,
  train: number,
  arms: readonly StudyArm[] = STUDY_ARMS,
): PlannedTrial[] {
  const trials: PlannedTrial[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const labelBudget of budgets) {
      for (const arm of arms) {
        trials.push({ arm, labelBudget, budgetExamples: labelBudget === 0 ? train : labelBudget, seed });
      }
    }
  }
  return trials;
}
