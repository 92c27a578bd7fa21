// Friendly inputs of a transfer study (plain numbers, names, `NAME@ALIAS` references) turned into the
// wire StudySpec. Unset fields stay unset so the service fills in its documented defaults.
import { Code, HeadstartError } from '@headstart/errors';
import { finetune } from '@headstart/proto';
import { toVersionRef, type VersionRefInput } from '@headstart/registry-client';

export type PoolingInput = 'mean' | 'cls';

/** The knobs of one arm of a study (the service ignores a seed: the study sets the seeds). */
export interface StudyHyperparametersInput {
  learningRate?: number;
  epochs?: number;
  /** At least this many optimizer steps (few labels need more epochs to move a model). */
  minSteps?: number;
  pooling?: PoolingInput;
  batchSize?: number;
  maxLength?: number;
}

export interface StudySpecInput {
  base: VersionRefInput;
  dataset: VersionRefInput;
  /** Training labels per budget; 0 means every training example. Unset: the service's 50,100,200,500,all. */
  budgets?: number[];
  /** Seeds per budget (seeds 1..N). Unset: 5. */
  seeds?: number;
  /** The budget the verdict is about. Unset: the budget closest to 200. */
  headlineBudget?: number;
  /** The pre-trained arm. */
  pretrained?: StudyHyperparametersInput;
  /** The from-scratch arm (same architecture from random weights). */
  scratch?: StudyHyperparametersInput;
  textField?: string;
  labelField?: string;
  splitField?: string;
  trainSplit?: string;
  devSplit?: string;
  testSplit?: string;
  /** Name of the REPORT model. Default `<base>-<dataset>-study`. */
  reportName?: string;
  description?: string;
  tags?: string[];
  /**
   * The arms to run: 'pretrained' (always) and any of 'scratch', 'naive_bayes', 'logistic_regression'.
   * Unset: all four.
   */
  arms?: string[];
}

const POOLINGS: Record<PoolingInput, finetune.Pooling> = {
  mean: finetune.Pooling.POOLING_MEAN,
  cls: finetune.Pooling.POOLING_CLS,
};

export function parsePooling(value: string): finetune.Pooling {
  const found = POOLINGS[value.toLowerCase() as PoolingInput];
  if (found === undefined) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `pooling must be one of mean, cls, got "${value}"`, {
      details: { field: 'pooling' },
    });
  }
  return found;
}

function toHyperparameters(input: StudyHyperparametersInput = {}): finetune.FinetuneHyperparameters {
  return finetune.FinetuneHyperparameters.fromPartial({
    learningRate: input.learningRate,
    epochs: input.epochs,
    minSteps: input.minSteps,
    pooling: input.pooling === undefined ? finetune.Pooling.POOLING_UNSPECIFIED : parsePooling(input.pooling),
    batchSize: input.batchSize,
    maxLength: input.maxLength,
  });
}

export function toStudySpec(input: StudySpecInput): finetune.StudySpec {
  const baseModel = toVersionRef(input.base);
  return { ...toStudySpecWithoutBase(input), baseModel };
}

/** The spec of a study trigger: the checkpoint that fires the trigger is the base. */
export function toStudySpecWithoutBase(input: Omit<StudySpecInput, 'base'>): finetune.StudySpec {
  return finetune.StudySpec.fromPartial({
    dataset: toVersionRef(input.dataset),
    data: {
      textField: input.textField ?? '',
      labelField: input.labelField ?? '',
      splitField: input.splitField ?? '',
      trainSplit: input.trainSplit ?? '',
      devSplit: input.devSplit ?? '',
      testSplit: input.testSplit ?? '',
    },
    labelBudgets: input.budgets ?? [],
    seeds: input.seeds,
    pretrainedHyperparameters: toHyperparameters(input.pretrained),
    scratchHyperparameters: toHyperparameters(input.scratch),
    headlineBudget: input.headlineBudget ?? 0,
    reportModelName: input.reportName ?? '',
    description: input.description ?? '',
    tags: input.tags ?? [],
    arms: input.arms ?? [],
  });
}
