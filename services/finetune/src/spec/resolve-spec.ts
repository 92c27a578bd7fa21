// Defaults and validation of a fine-tune spec. `resolveSpec` fills every default into the spec that the
// job record keeps (so a job says exactly what it ran with) and lists every bad field; `trainingSettings`
// reads the filled spec back into plain numbers for the worker.
import { finetune, type common } from '@headstart/proto';
import {
  ALIAS_NAME_PATTERN,
  ALIAS_NAME_RULE,
  MODEL_NAME_PATTERN,
  MODEL_NAME_RULE,
  Problems,
  TAG_PATTERN,
  TAG_RULE,
} from './problems';

const { EarlyStoppingMetric, Method, Pooling } = finetune;

// Chosen on the dev split of dictionary-domains at 200 labels, 5 paired seeds (bench/finetune sweep,
// docs/benchmarks.md): mean pooling, at least 500 steps, the whole schedule with the weights of the best
// dev accuracy kept (early stopping on dev loss ended runs at 125–225 of 500 steps: the loss rises from
// overconfidence while accuracy still climbs); the best dev mean of each arm's learning rates.
export const DEFAULT_HYPERPARAMETERS = Object.freeze({
  /** Dev accuracy 61.2 vs 60.0 for 5e-4 (5 seeds, within noise). */
  learningRate: 1e-3,
  /** Random weights: 50.0 vs 49.1 for 1e-3 once the schedule is long enough (1e-3 won at 65 steps). */
  scratchLearningRate: 5e-4,
  epochs: 5,
  batchSize: 16,
  /** Capped by the base model's max length. */
  maxLength: 128,
  warmupRatio: 0.1,
  weightDecay: 0.01,
  /** 0: the whole schedule; the best evaluation's weights are kept either way. */
  earlyStoppingPatience: 0,
  earlyStoppingMetric: EarlyStoppingMetric.EARLY_STOPPING_METRIC_ACCURACY,
  clipNorm: 1.0,
  pooling: Pooling.POOLING_MEAN,
  /** For a pre-trained base; random weights get 1 (no layer holds anything worth protecting). */
  layerLrDecay: 1,
  minSteps: 500,
});

export const DEFAULT_DATA_OPTIONS = Object.freeze({
  textField: 'text',
  labelField: 'label',
  splitField: 'split',
  trainSplit: 'train',
  devSplit: 'dev',
  testSplit: 'test',
});

export type EarlyStoppingMetricName = 'loss' | 'accuracy' | 'macro_f1';

/** The hyper-parameters as numbers, every default applied. */
export interface TrainingSettings {
  learningRate: number;
  epochs: number;
  /** 0: no limit besides the epochs. */
  maxSteps: number;
  batchSize: number;
  /** Requested max length; the worker caps it at the base model's. */
  maxLength: number;
  /** Undefined: warmupRatio of the total steps. */
  warmupSteps: number | undefined;
  warmupRatio: number;
  weightDecay: number;
  /** Undefined: once per epoch. */
  evalEvery: number | undefined;
  /** 0: no early stopping. */
  patience: number;
  metric: EarlyStoppingMetricName;
  seed: number;
  clipNorm: number;
  /** Undefined: the base model's dropout. */
  dropout: number | undefined;
  pooling: PoolingName;
  /** Learning-rate multiplier per encoder block below the head (1: none). */
  layerLrDecay: number;
  /** The schedule has at least this many steps (capped by maxSteps); 0: epochs alone. */
  minSteps: number;
}

export type PoolingName = 'cls' | 'mean';

export function poolingName(pooling: finetune.Pooling): PoolingName {
  return pooling === Pooling.POOLING_CLS ? 'cls' : 'mean';
}

export interface DataSettings {
  textField: string;
  labelField: string;
  splitField: string;
  trainSplit: string;
  devSplit: string;
  testSplit: string;
  /** 0: every training example. */
  labelBudget: number;
  budgetSeed: number;
}

export function metricName(metric: finetune.EarlyStoppingMetric): EarlyStoppingMetricName {
  switch (metric) {
    case EarlyStoppingMetric.EARLY_STOPPING_METRIC_ACCURACY:
      return 'accuracy';
    case EarlyStoppingMetric.EARLY_STOPPING_METRIC_MACRO_F1:
      return 'macro_f1';
    default:
      return 'loss';
  }
}

const MAX_U32 = 0xffff_ffff;

function checkHyperparameters(h: finetune.FinetuneHyperparameters, problems: Problems): void {
  const f = (name: string) => `spec.hyperparameters.${name}`;
  problems.number(f('learning_rate'), h.learningRate as number, { min: 0, max: 1, exclusiveMin: true });
  problems.integer(f('epochs'), h.epochs as number, 1, 10_000);
  problems.integer(f('max_steps'), h.maxSteps, 0, Number.MAX_SAFE_INTEGER);
  problems.integer(f('batch_size'), h.batchSize as number, 1, 4096);
  problems.integer(f('max_length'), h.maxLength as number, 3, 65_536);
  if (h.warmupSteps !== undefined) problems.integer(f('warmup_steps'), h.warmupSteps, 0, MAX_U32);
  problems.number(f('warmup_ratio'), h.warmupRatio as number, { min: 0, max: 1, exclusiveMax: true });
  problems.number(f('weight_decay'), h.weightDecay as number, { min: 0, max: 1 });
  if (h.evalEvery !== undefined) problems.integer(f('eval_every'), h.evalEvery, 1, MAX_U32);
  problems.integer(f('early_stopping_patience'), h.earlyStoppingPatience as number, 0, MAX_U32);
  if (!Object.values(EarlyStoppingMetric).includes(h.earlyStoppingMetric) || h.earlyStoppingMetric < 0) {
    problems.add(f('early_stopping_metric'), `unknown metric ${String(h.earlyStoppingMetric)}`);
  }
  problems.integer(f('seed'), h.seed, 0, Number.MAX_SAFE_INTEGER);
  problems.number(f('clip_norm'), h.clipNorm as number, { min: 0, max: Number.MAX_VALUE });
  if (h.dropout !== undefined)
    problems.number(f('dropout'), h.dropout, { min: 0, max: 1, exclusiveMax: true });
  if (!Object.values(Pooling).includes(h.pooling) || h.pooling < 0) {
    problems.add(f('pooling'), `unknown pooling ${String(h.pooling)} (POOLING_CLS or POOLING_MEAN)`);
  }
  problems.number(f('layer_lr_decay'), h.layerLrDecay as number, { min: 0, max: 1, exclusiveMin: true });
  problems.integer(f('min_steps'), h.minSteps as number, 0, 10_000_000);
}

function checkData(d: finetune.DatasetOptions, problems: Problems): void {
  const f = (name: string) => `spec.data.${name}`;
  for (const [name, value] of [
    ['text_field', d.textField],
    ['label_field', d.labelField],
    ['split_field', d.splitField],
  ] as const) {
    if (value.trim() !== value) problems.add(f(name), `${JSON.stringify(value)} has surrounding spaces`);
  }
  if (d.textField === d.labelField) problems.add(f('label_field'), 'must differ from text_field');
  const splits = [d.trainSplit, d.devSplit, d.testSplit];
  if (new Set(splits).size !== 3)
    problems.add(f('train_split'), `split names must differ, got ${splits.join(', ')}`);
  problems.integer(f('budget_seed'), d.budgetSeed, 0, Number.MAX_SAFE_INTEGER);
}

/** Default name of the registered model: `<base>-<dataset>` (`-scratch` for the control run). */
export function defaultOutputName(baseName: string, datasetName: string, fromScratch: boolean): string {
  return `${baseName}-${datasetName}${fromScratch ? '-scratch' : ''}`.slice(0, 128);
}

/**
 * Fills the defaults into `spec` and validates it. `baseName` is the base model's name (a trigger's spec
 * takes it from the trigger). Every problem is listed, each naming its field.
 */
export function resolveSpec(
  spec: finetune.FinetuneSpec,
  options: { baseName: string; requireBaseRef: boolean },
): { spec: finetune.FinetuneSpec; problems: Problems } {
  const problems = new Problems();
  const h = spec.hyperparameters ?? finetune.FinetuneHyperparameters.fromPartial({});
  const d = spec.data ?? finetune.DatasetOptions.fromPartial({});
  const defaults = DEFAULT_HYPERPARAMETERS;
  const hyperparameters: finetune.FinetuneHyperparameters = {
    ...h,
    learningRate: h.learningRate ?? (spec.fromScratch ? defaults.scratchLearningRate : defaults.learningRate),
    epochs: h.epochs ?? defaults.epochs,
    batchSize: h.batchSize ?? defaults.batchSize,
    maxLength: h.maxLength ?? defaults.maxLength,
    warmupRatio: h.warmupRatio ?? defaults.warmupRatio,
    weightDecay: h.weightDecay ?? defaults.weightDecay,
    earlyStoppingPatience: h.earlyStoppingPatience ?? defaults.earlyStoppingPatience,
    earlyStoppingMetric:
      h.earlyStoppingMetric === EarlyStoppingMetric.EARLY_STOPPING_METRIC_UNSPECIFIED
        ? defaults.earlyStoppingMetric
        : h.earlyStoppingMetric,
    clipNorm: h.clipNorm ?? defaults.clipNorm,
    pooling: h.pooling === Pooling.POOLING_UNSPECIFIED ? defaults.pooling : h.pooling,
    layerLrDecay: h.layerLrDecay ?? (spec.fromScratch ? 1 : defaults.layerLrDecay),
    minSteps: h.minSteps ?? defaults.minSteps,
  };
  const data: finetune.DatasetOptions = {
    ...d,
    textField: d.textField || DEFAULT_DATA_OPTIONS.textField,
    labelField: d.labelField || DEFAULT_DATA_OPTIONS.labelField,
    splitField: d.splitField || DEFAULT_DATA_OPTIONS.splitField,
    trainSplit: d.trainSplit || DEFAULT_DATA_OPTIONS.trainSplit,
    devSplit: d.devSplit || DEFAULT_DATA_OPTIONS.devSplit,
    testSplit: d.testSplit || DEFAULT_DATA_OPTIONS.testSplit,
    budgetSeed: d.budgetSeed || h.seed,
  };
  checkHyperparameters(hyperparameters, problems);
  checkData(data, problems);
  if (options.requireBaseRef && !spec.baseModel?.name) problems.add('spec.base_model', 'is required');
  if (!spec.dataset?.name) problems.add('spec.dataset', 'is required');
  const outputModelName =
    spec.outputModelName ||
    (options.baseName && spec.dataset?.name
      ? defaultOutputName(options.baseName, spec.dataset.name, spec.fromScratch)
      : '');
  if (outputModelName !== '') {
    problems.pattern('spec.output_model_name', outputModelName, MODEL_NAME_PATTERN, MODEL_NAME_RULE);
  }
  if (!Object.values(Method).includes(spec.method) || spec.method < 0) {
    problems.add('spec.method', `unknown method ${String(spec.method)}`);
  } else if (spec.method !== Method.METHOD_UNSPECIFIED && !spec.evaluationOnly) {
    problems.add('spec.evaluation_only', 'a bag-of-words baseline is evaluated only: set evaluation_only');
  }
  spec.tags.forEach((tag, i) => problems.pattern(`spec.tags[${i}]`, tag, TAG_PATTERN, TAG_RULE));
  spec.aliases.forEach((alias, i) => {
    problems.pattern(`spec.aliases[${i}]`, alias, ALIAS_NAME_PATTERN, ALIAS_NAME_RULE);
    if (alias === 'latest') problems.add(`spec.aliases[${i}]`, '"latest" is reserved');
  });
  return { spec: { ...spec, outputModelName, hyperparameters, data }, problems };
}

/** The hyper-parameters of a resolved spec as plain numbers. */
export function trainingSettings(spec: finetune.FinetuneSpec): TrainingSettings {
  const h = spec.hyperparameters ?? finetune.FinetuneHyperparameters.fromPartial({});
  const d = DEFAULT_HYPERPARAMETERS;
  return {
    learningRate: h.learningRate ?? (spec.fromScratch ? d.scratchLearningRate : d.learningRate),
    epochs: h.epochs ?? d.epochs,
    maxSteps: h.maxSteps,
    batchSize: h.batchSize ?? d.batchSize,
    maxLength: h.maxLength ?? d.maxLength,
    warmupSteps: h.warmupSteps,
    warmupRatio: h.warmupRatio ?? d.warmupRatio,
    weightDecay: h.weightDecay ?? d.weightDecay,
    evalEvery: h.evalEvery,
    patience: h.earlyStoppingPatience ?? d.earlyStoppingPatience,
    metric: metricName(
      h.earlyStoppingMetric === EarlyStoppingMetric.EARLY_STOPPING_METRIC_UNSPECIFIED
        ? d.earlyStoppingMetric
        : h.earlyStoppingMetric,
    ),
    seed: h.seed,
    clipNorm: h.clipNorm ?? d.clipNorm,
    dropout: h.dropout,
    pooling: poolingName(h.pooling === Pooling.POOLING_UNSPECIFIED ? d.pooling : h.pooling),
    layerLrDecay: h.layerLrDecay ?? (spec.fromScratch ? 1 : d.layerLrDecay),
    minSteps: h.minSteps ?? d.minSteps,
  };
}

export function dataSettings(spec: finetune.FinetuneSpec): DataSettings {
  const d = spec.data ?? finetune.DatasetOptions.fromPartial({});
  return {
    textField: d.textField || DEFAULT_DATA_OPTIONS.textField,
    labelField: d.labelField || DEFAULT_DATA_OPTIONS.labelField,
    splitField: d.splitField || DEFAULT_DATA_OPTIONS.splitField,
    trainSplit: d.trainSplit || DEFAULT_DATA_OPTIONS.trainSplit,
    devSplit: d.devSplit || DEFAULT_DATA_OPTIONS.devSplit,
    testSplit: d.testSplit || DEFAULT_DATA_OPTIONS.testSplit,
    labelBudget: d.labelBudget,
    budgetSeed: d.budgetSeed || (spec.hyperparameters?.seed ?? 0),
  };
}

/** A reference pinned to one version number. */
export function pinned(name: string, version: number): common.VersionRef {
  return { name, selector: { $case: 'version', version } };
}
