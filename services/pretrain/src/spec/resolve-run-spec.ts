// A RunSpec as sent → the effective spec (defaults filled in), the model config and the training config,
// or every problem found, each naming its proto field.
import type { BackendChoice } from '@headstart/compute';
import type { common } from '@headstart/proto';
import type { BertConfig } from '@headstart/model';
import { DEFAULT_BERT_CONFIG } from '@headstart/model';
import { pretrain } from '@headstart/proto';
import { normaliseWeights } from '../training/mixture';
import type { LrDecayName, TrainingConfig } from '../training/training-config';
import { DEFAULT_TRAINING, resolveTotalSteps } from '../training/training-config';
import type { SpecProblem } from './field-checks';
import { ALIAS_NAME_PATTERN, MODEL_NAME_PATTERN, ProblemList, TAG_PATTERN, describe } from './field-checks';

/** What StartRun learnt from the shards' header. */
export interface ShardsFacts {
  vocabSize: number;
}

export interface ResolvedRunSpec {
  /** The spec with every default filled in (what GetRun shows and checkpoints record). */
  spec: pretrain.RunSpec;
  model: BertConfig;
  training: TrainingConfig;
}

export const DEFAULT_FINAL_ALIAS = 'final';
/** Sources a mixed run may read (each is a `trained_on` parent of every checkpoint). */
export const MAX_MIXTURE_SOURCES = 16;

/** One token-shards source of a run, with the spec field it came from. */
export interface RunSource {
  ref: common.VersionRef;
  weight: number;
  /** `shards`, or `mixture[i].shards`. */
  field: string;
}

/** A run's sources: its mixture, or its one `shards` with weight 1. */
export function runSources(spec: pretrain.RunSpec): RunSource[] {
  if (spec.mixture.length > 0) {
    return spec.mixture.map((m, i) => ({
      ref: m.shards as common.VersionRef,
      weight: m.weight,
      field: `mixture[${i}].shards`,
    }));
  }
  return spec.shards ? [{ ref: spec.shards, weight: 1, field: 'shards' }] : [];
}

function checkSources(input: pretrain.RunSpec, p: ProblemList): number[] | undefined {
  const { mixture } = input;
  if (mixture.length === 0) {
    if (!input.shards || input.shards.name === '')
      p.add('shards', 'is required (a token-shards dataset, e.g. wiki-shards:1, or a mixture)');
    return undefined;
  }
  if (input.shards && input.shards.name !== '')
    p.add('mixture', 'set either shards (one source) or mixture, not both');
  if (mixture.length > MAX_MIXTURE_SOURCES)
    p.add('mixture', `${mixture.length} sources; a run mixes at most ${MAX_MIXTURE_SOURCES}`);
  mixture.forEach((m, i) => {
    if (!m.shards || m.shards.name === '')
      p.add(`mixture[${i}].shards`, 'is required (a token-shards dataset, e.g. wiki-shards:1)');
    p.number(`mixture[${i}].weight`, m.weight, { min: 0, exclusiveMin: true, max: 1e12 });
  });
  const weights = mixture.map((m) => m.weight);
  if (mixture.length < 2 || !weights.every((w) => Number.isFinite(w) && w > 0)) return undefined;
  return normaliseWeights(weights);
}
/** Aliases a run moves itself; a run may not ask for them as its final alias. */
export const RESERVED_ALIASES = ['latest', 'latest-checkpoint', 'best'];

const DECAYS: Record<pretrain.LrDecay, LrDecayName | undefined> = {
  [pretrain.LrDecay.LR_DECAY_UNSPECIFIED]: 'cosine',
  [pretrain.LrDecay.LR_DECAY_COSINE]: 'cosine',
  [pretrain.LrDecay.LR_DECAY_LINEAR]: 'linear',
  [pretrain.LrDecay.LR_DECAY_CONSTANT]: 'constant',
  [pretrain.LrDecay.UNRECOGNIZED]: undefined,
};

const BACKENDS: Record<pretrain.Backend, BackendChoice | undefined | null> = {
  [pretrain.Backend.BACKEND_UNSPECIFIED]: undefined,
  [pretrain.Backend.BACKEND_AUTO]: 'auto',
  [pretrain.Backend.BACKEND_TENSORFLOW]: 'tensorflow',
  [pretrain.Backend.BACKEND_WASM]: 'wasm',
  [pretrain.Backend.BACKEND_CPU]: 'cpu',
  [pretrain.Backend.UNRECOGNIZED]: null,
};

function resolveTraining(
  input: pretrain.TrainingConfig | undefined,
  seed: number,
  mixture: number[] | undefined,
  p: ProblemList,
) {
  const t = input ?? pretrain.TrainingConfig.fromPartial({});
  const learningRate = t.learningRate ?? DEFAULT_TRAINING.learningRate;
  const batchSize = t.batchSize ?? DEFAULT_TRAINING.batchSize;
  const seqLen = t.seqLen ?? DEFAULT_TRAINING.seqLen;
  const gradAccumulation = t.gradAccumulation ?? DEFAULT_TRAINING.gradAccumulation;
  p.number('training.learning_rate', learningRate, { min: 0, max: 10, exclusiveMin: true });
  p.integer('training.batch_size', batchSize, 1, 4096);
  p.integer('training.seq_len', seqLen, 4, 8192);
  p.integer('training.grad_accumulation', gradAccumulation, 1, 4096);
  p.integer('training.max_steps', t.maxSteps, 0, 1e9);
  p.integer('training.token_budget', t.tokenBudget, 0, 1e15);
  // 30 days: a bound that catches a unit mistake (milliseconds given as seconds) before a run starts.
  p.integer('training.time_budget_seconds', t.timeBudgetSeconds, 0, 30 * 86_400);
  const perStep = Math.max(1, batchSize * seqLen * gradAccumulation);
  const config: TrainingConfig = {
    learningRate,
    warmupSteps: t.warmupSteps ?? DEFAULT_TRAINING.warmupSteps,
    decay: DECAYS[t.decay] ?? 'cosine',
    minLearningRate: t.minLearningRate ?? learningRate / 10,
    weightDecay: t.weightDecay ?? DEFAULT_TRAINING.weightDecay,
    beta1: t.beta1 ?? DEFAULT_TRAINING.beta1,
    beta2: t.beta2 ?? DEFAULT_TRAINING.beta2,
    adamEpsilon: t.adamEpsilon ?? DEFAULT_TRAINING.adamEpsilon,
    clipNorm: t.clipNorm ?? DEFAULT_TRAINING.clipNorm,
    batchSize,
    seqLen,
    gradAccumulation,
    totalSteps: resolveTotalSteps(t.maxSteps, t.tokenBudget, perStep, t.timeBudgetSeconds > 0),
    tokenBudget: t.tokenBudget,
    timeBudgetMs: t.timeBudgetSeconds * 1000,
    evalEvery: t.evalEvery ?? DEFAULT_TRAINING.evalEvery,
    evalBatches: t.evalBatches ?? DEFAULT_TRAINING.evalBatches,
    checkpointEvery: t.checkpointEvery ?? DEFAULT_TRAINING.checkpointEvery,
    keepLast: t.keepLast ?? DEFAULT_TRAINING.keepLast,
    maskProb: t.maskProb ?? DEFAULT_TRAINING.maskProb,
    ...(mixture ? { mixture } : {}),
    seed,
    backend: BACKENDS[t.backend] ?? undefined,
  };
  if (DECAYS[t.decay] === undefined) p.add('training.decay', `${describe(t.decay)} is not a known decay`);
  if (!(t.backend in BACKENDS) || BACKENDS[t.backend] === null)
    p.add('training.backend', `${describe(t.backend)} is not a known backend`);
  p.integer('training.warmup_steps', config.warmupSteps, 0, 1e9);
  if (config.warmupSteps >= config.totalSteps && Number.isSafeInteger(config.warmupSteps)) {
    p.add(
      'training.warmup_steps',
      `${config.warmupSteps} must be less than the run's ${config.totalSteps} steps`,
    );
  }
  p.number('training.min_learning_rate', config.minLearningRate, { min: 0 });
  if (config.minLearningRate > learningRate) {
    p.add(
      'training.min_learning_rate',
      `${config.minLearningRate} exceeds training.learning_rate ${learningRate}`,
    );
  }
  p.number('training.weight_decay', config.weightDecay, { min: 0, max: 1 });
  p.number('training.beta1', config.beta1, { min: 0, max: 1, exclusiveMax: true });
  p.number('training.beta2', config.beta2, { min: 0, max: 1, exclusiveMax: true });
  p.number('training.adam_epsilon', config.adamEpsilon, { min: 0, max: 1, exclusiveMin: true });
  p.number('training.clip_norm', config.clipNorm, { min: 0 });
  p.integer('training.eval_every', config.evalEvery, 1, 1e9);
  p.integer('training.eval_batches', config.evalBatches, 1, 10_000);
  p.integer('training.checkpoint_every', config.checkpointEvery, 1, 1e9);
  p.integer('training.keep_last', config.keepLast, 1, 1000);
  p.number('training.mask_prob', config.maskProb, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
  return config;
}

function resolveModel(
  input: pretrain.ModelConfig | undefined,
  seqLen: number,
  shards: ShardsFacts | undefined,
  p: ProblemList,
): BertConfig {
  const m = input ?? pretrain.ModelConfig.fromPartial({});
  const dModel = m.dModel || DEFAULT_BERT_CONFIG.dModel;
  const heads = m.heads || DEFAULT_BERT_CONFIG.heads;
  const config: BertConfig = {
    ...DEFAULT_BERT_CONFIG,
    vocabSize: m.vocabSize || shards?.vocabSize || 0,
    dModel,
    heads,
    layers: m.layers || DEFAULT_BERT_CONFIG.layers,
    ff: m.ff || 4 * dModel,
    maxLen: m.maxLen || seqLen,
    dropout: m.dropout,
  };
  for (const [field, value] of [
    ['model.d_model', config.dModel],
    ['model.heads', config.heads],
    ['model.layers', config.layers],
    ['model.ff', config.ff],
    ['model.max_len', config.maxLen],
  ] as const) {
    p.integer(field, value, 1, 65_536);
  }
  if (dModel % heads !== 0) p.add('model.d_model', `${dModel} is not divisible by model.heads ${heads}`);
  p.number('model.dropout', config.dropout, { min: 0, max: 1, exclusiveMax: true });
  if (config.maxLen < seqLen) {
    p.add('model.max_len', `${config.maxLen} is shorter than training.seq_len ${seqLen}`);
  }
  if (shards && m.vocabSize !== 0 && m.vocabSize < shards.vocabSize) {
    p.add('model.vocab_size', `${m.vocabSize} is smaller than the shards' vocabulary (${shards.vocabSize})`);
  }
  if (config.vocabSize > 1 << 20) p.add('model.vocab_size', `${config.vocabSize} is larger than 1048576`);
  return config;
}

/**
 * Fills in the defaults and checks everything that can be checked without the registry; with `shards`,
 * also the vocabulary. Returns every problem found, not just the first.
 */
export function resolveRunSpec(
  input: pretrain.RunSpec,
  shards?: ShardsFacts,
): { problems: SpecProblem[]; resolved: ResolvedRunSpec } {
  const p = new ProblemList();
  p.pattern(
    'model_name',
    input.modelName,
    MODEL_NAME_PATTERN,
    '1-128 of a-z 0-9 . _ -, starting with a letter or digit',
  );
  const mixture = checkSources(input, p);
  if (!Number.isSafeInteger(input.seed) || input.seed < 0)
    p.add('seed', `${describe(input.seed)} is not an integer in [0, 2^53)`);
  const finalAlias = input.finalAlias || DEFAULT_FINAL_ALIAS;
  p.pattern('final_alias', finalAlias, ALIAS_NAME_PATTERN, '1-64 of a-z 0-9 . _ -, starting with a letter');
  if (RESERVED_ALIASES.includes(finalAlias))
    p.add('final_alias', `"${finalAlias}" is reserved (${RESERVED_ALIASES.join(', ')})`);
  input.tags.forEach((tag, i) =>
    p.pattern(`tags[${i}]`, tag, TAG_PATTERN, 'letters, digits and . _ : = / -, at most 64'),
  );

  const training = resolveTraining(input.training, input.seed, mixture, p);
  const model = resolveModel(input.model, training.seqLen, shards, p);
  const spec: pretrain.RunSpec = {
    ...input,
    finalAlias,
    model: {
      vocabSize: model.vocabSize,
      dModel: model.dModel,
      heads: model.heads,
      layers: model.layers,
      ff: model.ff,
      maxLen: model.maxLen,
      dropout: model.dropout,
    },
    training: {
      learningRate: training.learningRate,
      warmupSteps: training.warmupSteps,
      decay: input.training?.decay || pretrain.LrDecay.LR_DECAY_COSINE,
      minLearningRate: training.minLearningRate,
      weightDecay: training.weightDecay,
      beta1: training.beta1,
      beta2: training.beta2,
      adamEpsilon: training.adamEpsilon,
      clipNorm: training.clipNorm,
      batchSize: training.batchSize,
      seqLen: training.seqLen,
      gradAccumulation: training.gradAccumulation,
      maxSteps: training.totalSteps,
      tokenBudget: training.tokenBudget,
      timeBudgetSeconds: training.timeBudgetMs / 1000,
      evalEvery: training.evalEvery,
      evalBatches: training.evalBatches,
      checkpointEvery: training.checkpointEvery,
      keepLast: training.keepLast,
      maskProb: training.maskProb,
      backend: input.training?.backend ?? pretrain.Backend.BACKEND_UNSPECIFIED,
    },
  };
  return { problems: p.problems, resolved: { spec, model, training } };
}
