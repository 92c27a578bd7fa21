// The options of `headstart study start` and their translation to a study spec input.
import { Code, HeadstartError } from '@headstart/errors';
import type { PoolingInput, StudyHyperparametersInput, StudySpecInput } from '@headstart/finetune-client';
import { parseCount } from '../args';

export interface StartStudyOptions {
  /** Comma-separated label budgets, `all` for every training example. */
  budgets?: string;
  seeds?: string;
  headline?: string;
  textField?: string;
  labelField?: string;
  splitField?: string;
  trainSplit?: string;
  devSplit?: string;
  testSplit?: string;
  /** Learning rate of the pre-trained arm. */
  lr?: string;
  /** Learning rate of the from-scratch arm. */
  scratchLr?: string;
  epochs?: string;
  minSteps?: string;
  pooling?: string;
  /** Comma-separated arms (pretrained, scratch, naive_bayes, logistic_regression). */
  arms?: string;
  /** Name of the REPORT model. */
  name?: string;
  description?: string;
  tag?: string[];
  idempotencyKey?: string;
  watch?: boolean;
}

function invalid(message: string, field: string): HeadstartError {
  return new HeadstartError(Code.INVALID_ARGUMENT, message, { details: { field } });
}

/** `50,100,200,all` → [50, 100, 200, 0]: the wire says 0 for "every training example". */
export function parseBudgets(text: string): number[] {
  const budgets = text.split(',').map((item) => {
    const trimmed = item.trim();
    if (trimmed.toLowerCase() === 'all') return 0;
    if (!/^[1-9][0-9]*$/.test(trimmed) || Number(trimmed) > 0xffff_ffff) {
      throw invalid(
        `--budgets takes positive integers or "all" separated by commas, got "${text}"`,
        'budgets',
      );
    }
    return Number(trimmed);
  });
  const repeated = budgets.find((b, i) => budgets.indexOf(b) !== i);
  if (repeated !== undefined) {
    throw invalid(`--budgets lists ${repeated === 0 ? 'all' : repeated} twice`, 'budgets');
  }
  return budgets;
}

function parseRate(text: string, field: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`--${field} must be a positive number, got "${text}"`, field);
  }
  return value;
}

const ARMS = ['pretrained', 'scratch', 'naive_bayes', 'logistic_regression'];

/** `pretrained,naive-bayes` → ['pretrained', 'naive_bayes'] (dashes or underscores). */
export function parseArms(text: string): string[] {
  const arms = text.split(',').map((a) => a.trim().toLowerCase().replace(/-/g, '_'));
  const unknown = arms.find((a) => !ARMS.includes(a));
  if (unknown !== undefined) {
    throw invalid(`--arms takes ${ARMS.join(', ')} separated by commas, got "${unknown}"`, 'arms');
  }
  if (!arms.includes('pretrained')) throw invalid('--arms must include pretrained', 'arms');
  return arms;
}

/** `--pooling mean|cls` (any case). */
export function parsePoolingName(text: string): PoolingInput {
  const name = text.toLowerCase();
  if (name !== 'mean' && name !== 'cls')
    throw invalid(`--pooling must be mean or cls, got "${text}"`, 'pooling');
  return name;
}

const optional = <T>(value: string | undefined, parse: (text: string) => T): T | undefined =>
  value === undefined ? undefined : parse(value);

/** Drops the unset keys, so the spec leaves them to the service's defaults. */
function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The arms' knobs: --lr is the pre-trained arm's, --scratch-lr the from-scratch arm's; --epochs,
 * --min-steps and --pooling go to both, since the comparison is paired on the same step budget.
 */
function armHyperparameters(options: StartStudyOptions): {
  pretrained: StudyHyperparametersInput;
  scratch: StudyHyperparametersInput;
} {
  const shared = defined({
    epochs: optional(options.epochs, (t) => parseCount(t, 'epochs')),
    minSteps: optional(options.minSteps, (t) => parseCount(t, 'min-steps')),
    pooling: optional(options.pooling, parsePoolingName),
  });
  return {
    pretrained: defined({ ...shared, learningRate: optional(options.lr, (t) => parseRate(t, 'lr')) }),
    scratch: defined({
      ...shared,
      learningRate: optional(options.scratchLr, (t) => parseRate(t, 'scratch-lr')),
    }),
  };
}

export function toStudySpecInput(base: string, dataset: string, options: StartStudyOptions): StudySpecInput {
  return { base, ...toStudyInputWithoutBase(dataset, options) };
}

/** Everything of a study but its base: a study trigger studies the checkpoint that fires it. */
export function toStudyInputWithoutBase(
  dataset: string,
  options: StartStudyOptions,
): Omit<StudySpecInput, 'base'> {
  return defined({
    dataset,
    budgets: optional(options.budgets, parseBudgets),
    seeds: optional(options.seeds, (t) => parseCount(t, 'seeds')),
    headlineBudget: optional(options.headline, (t) => parseCount(t, 'headline')),
    ...armHyperparameters(options),
    textField: options.textField,
    labelField: options.labelField,
    splitField: options.splitField,
    trainSplit: options.trainSplit,
    devSplit: options.devSplit,
    testSplit: options.testSplit,
    reportName: options.name,
    arms: optional(options.arms, parseArms),
    description: options.description,
    tags: options.tag,
  });
}
