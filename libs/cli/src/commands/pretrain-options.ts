// The options of `headstart pretrain start|ls` and the request they describe.
import { Code, HeadstartError } from '@headstart/errors';
import { common, pretrain } from '@headstart/proto';
import { parseVersionRef } from '@headstart/registry-client';
import { parseCount } from '../args';

export interface StartRunOptions {
  model: string;
  /** One source (NAME, NAME:VERSION, NAME@ALIAS) or a mixture (REF=WEIGHT,REF=WEIGHT…). */
  shards: string;
  seed?: string;
  dModel?: string;
  heads?: string;
  layers?: string;
  ff?: string;
  maxLen?: string;
  vocabSize?: string;
  dropout?: string;
  lr?: string;
  warmup?: string;
  decay?: string;
  minLr?: string;
  weightDecay?: string;
  clipNorm?: string;
  batch?: string;
  seqLen?: string;
  accum?: string;
  maxSteps?: string;
  tokens?: string;
  minutes?: string;
  from?: string;
  evalEvery?: string;
  evalBatches?: string;
  checkpointEvery?: string;
  keepLast?: string;
  maskProb?: string;
  backend?: string;
  finalAlias?: string;
  tag?: string[];
  description?: string;
  idempotencyKey?: string;
  /** Return once the run is queued instead of following it. */
  detach?: boolean;
}

export interface ListRunsOptions {
  state?: string;
  model?: string;
  limit?: string;
}

function parseNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `--${option} must be a number, got "${text}"`, {
      details: { field: option },
    });
  }
  return value;
}

export const count = (text: string | undefined, option: string) =>
  text === undefined ? undefined : parseCount(text, option);
const number = (text: string | undefined, option: string) =>
  text === undefined ? undefined : parseNumber(text, option);

function invalidShards(text: string, why: string): HeadstartError {
  return new HeadstartError(
    Code.INVALID_ARGUMENT,
    `--shards "${text}": ${why}; expected one REF (NAME, NAME:VERSION or NAME@ALIAS) or a mixture ` +
      'REF=WEIGHT,REF=WEIGHT, e.g. general-shards:3=0.7,domain-shards@final=0.3',
    { details: { field: 'shards' } },
  );
}

/**
 * --shards: one source, or a mixture of sources with weights. Names, versions and aliases never contain
 * '=' or ',', so `general-shards:3=0.7,domain-shards@final=0.3` is unambiguous (':' already separates a
 * name from its version, so it cannot also separate a weight).
 */
export function parseShards(
  text: string,
): Pick<pretrain.RunSpec, 'shards'> | Pick<pretrain.RunSpec, 'mixture'> {
  if (!text.includes('=') && !text.includes(',')) return { shards: parseVersionRef(text) };
  const mixture = text.split(',').map((part) => {
    const eq = part.lastIndexOf('=');
    if (eq < 0) throw invalidShards(text, `the source "${part}" has no =WEIGHT`);
    const weight = Number(part.slice(eq + 1));
    if (part.slice(eq + 1).trim() === '' || !Number.isFinite(weight) || weight <= 0) {
      throw invalidShards(text, `the weight of "${part}" is not a number > 0`);
    }
    return { shards: parseVersionRef(part.slice(0, eq)), weight };
  });
  return { mixture };
}

/** --minutes (fractions allowed) as the whole seconds of the run's time budget. */
function minutesToSeconds(text: string | undefined): number | undefined {
  const minutes = number(text, 'minutes');
  if (minutes === undefined) return undefined;
  if (!(minutes > 0)) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `--minutes must be more than 0, got "${text}"`, {
      details: { field: 'minutes' },
    });
  }
  return Math.max(1, Math.round(minutes * 60));
}

export function parseEnum<T>(
  text: string | undefined,
  option: string,
  values: Record<string, T>,
): T | undefined {
  if (text === undefined) return undefined;
  const value = values[text.toLowerCase()];
  if (value === undefined) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `--${option} must be one of ${Object.keys(values).join(', ')}, got "${text}"`,
      {
        details: { field: option },
      },
    );
  }
  return value;
}

const DECAYS = {
  cosine: pretrain.LrDecay.LR_DECAY_COSINE,
  linear: pretrain.LrDecay.LR_DECAY_LINEAR,
  constant: pretrain.LrDecay.LR_DECAY_CONSTANT,
};
const BACKENDS = {
  auto: pretrain.Backend.BACKEND_AUTO,
  tensorflow: pretrain.Backend.BACKEND_TENSORFLOW,
  wasm: pretrain.Backend.BACKEND_WASM,
  cpu: pretrain.Backend.BACKEND_CPU,
};
export const STATES = {
  queued: common.JobState.JOB_STATE_QUEUED,
  running: common.JobState.JOB_STATE_RUNNING,
  succeeded: common.JobState.JOB_STATE_SUCCEEDED,
  failed: common.JobState.JOB_STATE_FAILED,
  cancelled: common.JobState.JOB_STATE_CANCELLED,
};

/** The StartRun request an option set describes (unset options leave the service's defaults: fromPartial
 * turns an undefined optional field into an unset one). */
export function startRunRequest(options: StartRunOptions): pretrain.StartRunRequest {
  return pretrain.StartRunRequest.fromPartial({
    idempotencyKey: options.idempotencyKey ?? '',
    spec: {
      modelName: options.model,
      ...parseShards(options.shards),
      ...(options.from === undefined ? {} : { continueFrom: parseVersionRef(options.from) }),
      seed: count(options.seed, 'seed') ?? 0,
      finalAlias: options.finalAlias ?? '',
      description: options.description ?? '',
      tags: options.tag ?? [],
      model: {
        vocabSize: count(options.vocabSize, 'vocab-size'),
        dModel: count(options.dModel, 'd-model'),
        heads: count(options.heads, 'heads'),
        layers: count(options.layers, 'layers'),
        ff: count(options.ff, 'ff'),
        maxLen: count(options.maxLen, 'max-len'),
        dropout: number(options.dropout, 'dropout'),
      },
      training: {
        learningRate: number(options.lr, 'lr'),
        warmupSteps: count(options.warmup, 'warmup'),
        decay: parseEnum(options.decay, 'decay', DECAYS),
        minLearningRate: number(options.minLr, 'min-lr'),
        weightDecay: number(options.weightDecay, 'weight-decay'),
        clipNorm: number(options.clipNorm, 'clip-norm'),
        batchSize: count(options.batch, 'batch'),
        seqLen: count(options.seqLen, 'seq-len'),
        gradAccumulation: count(options.accum, 'accum'),
        maxSteps: count(options.maxSteps, 'max-steps'),
        tokenBudget: count(options.tokens, 'tokens'),
        timeBudgetSeconds: minutesToSeconds(options.minutes),
        evalEvery: count(options.evalEvery, 'eval-every'),
        evalBatches: count(options.evalBatches, 'eval-batches'),
        checkpointEvery: count(options.checkpointEvery, 'checkpoint-every'),
        keepLast: count(options.keepLast, 'keep-last'),
        maskProb: number(options.maskProb, 'mask-prob'),
        backend: parseEnum(options.backend, 'backend', BACKENDS),
      },
    },
  });
}
