// Friendly inputs (plain numbers, names, `NAME:VERSION` references) turned into the wire messages.
import { Code, HeadstartError } from '@headstart/errors';
import { common, finetune } from '@headstart/proto';
import { toVersionRef, type VersionRefInput } from '@headstart/registry-client';
import { parsePooling, toStudySpecWithoutBase, type PoolingInput, type StudySpecInput } from './study-inputs';

const { TriggerCondition, EarlyStoppingMetric } = finetune;
const { JobState } = common;

export type TriggerConditionInput = 'every' | 'final' | 'alias' | 'tag';
export type EarlyStoppingMetricInput = 'loss' | 'accuracy' | 'macro_f1';
export type JobStateInput = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface FinetuneSpecInput {
  /** The base checkpoint (manual jobs; a trigger uses the checkpoint that fired it). */
  base?: VersionRefInput;
  dataset: VersionRefInput;
  /** Model name to register the result under. Default `<base>-<dataset>` (`-scratch`). */
  output?: string;
  /** Same architecture from random weights: the control run. */
  fromScratch?: boolean;
  learningRate?: number;
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  maxLength?: number;
  warmupSteps?: number;
  warmupRatio?: number;
  weightDecay?: number;
  evalEvery?: number;
  /** Early-stopping patience in evaluations (0: off). */
  patience?: number;
  metric?: EarlyStoppingMetricInput;
  seed?: number;
  clipNorm?: number;
  dropout?: number;
  /** What the head pools. Unset: the service's default. */
  pooling?: PoolingInput;
  /** Layer-wise learning-rate decay in (0, 1]; 1: the same rate for every layer. Unset: the service's. */
  layerLrDecay?: number;
  /** At least this many optimizer steps (epochs are added); 0: epochs alone. Unset: the service's. */
  minSteps?: number;
  textField?: string;
  labelField?: string;
  splitField?: string;
  trainSplit?: string;
  devSplit?: string;
  testSplit?: string;
  /** Only the first K training examples of a seeded, stratified order. */
  labelBudget?: number;
  budgetSeed?: number;
  description?: string;
  tags?: string[];
  aliases?: string[];
}

interface TriggerCommonInput {
  baseModel: string;
  /** @default 'every' */
  on?: TriggerConditionInput;
  /** With on: 'alias'. */
  alias?: string;
  /** With on: 'tag'. */
  tag?: string;
  description?: string;
}

/**
 * A trigger runs either a fine-tune (`spec`) or a transfer study (`study`) on each checkpoint that fires
 * it; the base of either is the checkpoint.
 */
export type TriggerInput = TriggerCommonInput &
  (
    | { spec: Omit<FinetuneSpecInput, 'base'>; study?: undefined }
    | { study: Omit<StudySpecInput, 'base'>; spec?: undefined }
  );

function invalid(message: string, field: string): HeadstartError {
  return new HeadstartError(Code.INVALID_ARGUMENT, message, { details: { field } });
}

const CONDITIONS: Record<TriggerConditionInput, finetune.TriggerCondition> = {
  every: TriggerCondition.TRIGGER_CONDITION_EVERY_CHECKPOINT,
  final: TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
  alias: TriggerCondition.TRIGGER_CONDITION_ALIAS,
  tag: TriggerCondition.TRIGGER_CONDITION_TAG,
};

const METRICS: Record<EarlyStoppingMetricInput, finetune.EarlyStoppingMetric> = {
  loss: EarlyStoppingMetric.EARLY_STOPPING_METRIC_LOSS,
  accuracy: EarlyStoppingMetric.EARLY_STOPPING_METRIC_ACCURACY,
  macro_f1: EarlyStoppingMetric.EARLY_STOPPING_METRIC_MACRO_F1,
};

const STATES: Record<JobStateInput, common.JobState> = {
  queued: JobState.JOB_STATE_QUEUED,
  running: JobState.JOB_STATE_RUNNING,
  succeeded: JobState.JOB_STATE_SUCCEEDED,
  failed: JobState.JOB_STATE_FAILED,
  cancelled: JobState.JOB_STATE_CANCELLED,
};

function pick<T>(table: Record<string, T>, value: string, field: string): T {
  const found = table[value.toLowerCase()];
  if (found === undefined) {
    throw invalid(`${field} must be one of ${Object.keys(table).join(', ')}, got "${value}"`, field);
  }
  return found;
}

export const parseTriggerCondition = (v: string) => pick(CONDITIONS, v, 'condition');
export const parseEarlyStoppingMetric = (v: string) => pick(METRICS, v, 'metric');
export const parseJobState = (v: string) => pick(STATES, v, 'state');

const TERMINAL_STATES: ReadonlySet<common.JobState> = new Set([
  JobState.JOB_STATE_SUCCEEDED,
  JobState.JOB_STATE_FAILED,
  JobState.JOB_STATE_CANCELLED,
]);

/** Succeeded, failed or cancelled: a job or study in this state never changes again. */
export function isTerminalJobState(state: common.JobState): boolean {
  return TERMINAL_STATES.has(state);
}

export function formatJobState(state: common.JobState): string {
  return Object.entries(STATES).find(([, s]) => s === state)?.[0] ?? 'unknown';
}

export function formatTriggerCondition(trigger: finetune.Trigger): string {
  switch (trigger.condition) {
    case TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT:
      return 'final';
    case TriggerCondition.TRIGGER_CONDITION_ALIAS:
      return `alias:${trigger.alias}`;
    case TriggerCondition.TRIGGER_CONDITION_TAG:
      return `tag:${trigger.tag}`;
    default:
      return 'every';
  }
}

export function toFinetuneSpec(input: FinetuneSpecInput): finetune.FinetuneSpec {
  return finetune.FinetuneSpec.fromPartial({
    ...(input.base === undefined ? {} : { baseModel: toVersionRef(input.base) }),
    dataset: toVersionRef(input.dataset),
    outputModelName: input.output ?? '',
    fromScratch: input.fromScratch ?? false,
    hyperparameters: {
      learningRate: input.learningRate,
      epochs: input.epochs,
      maxSteps: input.maxSteps ?? 0,
      batchSize: input.batchSize,
      maxLength: input.maxLength,
      warmupSteps: input.warmupSteps,
      warmupRatio: input.warmupRatio,
      weightDecay: input.weightDecay,
      evalEvery: input.evalEvery,
      earlyStoppingPatience: input.patience,
      earlyStoppingMetric: input.metric === undefined ? 0 : parseEarlyStoppingMetric(input.metric),
      seed: input.seed ?? 0,
      clipNorm: input.clipNorm,
      dropout: input.dropout,
      pooling:
        input.pooling === undefined ? finetune.Pooling.POOLING_UNSPECIFIED : parsePooling(input.pooling),
      layerLrDecay: input.layerLrDecay,
      minSteps: input.minSteps,
    },
    data: {
      textField: input.textField ?? '',
      labelField: input.labelField ?? '',
      splitField: input.splitField ?? '',
      trainSplit: input.trainSplit ?? '',
      devSplit: input.devSplit ?? '',
      testSplit: input.testSplit ?? '',
      labelBudget: input.labelBudget ?? 0,
      budgetSeed: input.budgetSeed ?? 0,
    },
    description: input.description ?? '',
    tags: input.tags ?? [],
    aliases: input.aliases ?? [],
  });
}

export function toTrigger(input: TriggerInput): finetune.Trigger {
  if (input.spec !== undefined && input.study !== undefined) {
    throw invalid('a trigger runs either a fine-tune (spec) or a study (study), not both', 'study');
  }
  return finetune.Trigger.fromPartial({
    baseModelName: input.baseModel,
    condition: parseTriggerCondition(input.on ?? 'every'),
    alias: input.alias ?? '',
    tag: input.tag ?? '',
    description: input.description ?? '',
    ...(input.study === undefined
      ? { spec: toFinetuneSpec(input.spec) }
      : { study: toStudySpecWithoutBase(input.study) }),
  });
}
