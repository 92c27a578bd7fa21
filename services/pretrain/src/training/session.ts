// Everything a training run holds between steps: model, optimizer, random streams and counters. A
// checkpoint is exactly this, serialised; restoring it and continuing equals never having stopped.
import type { CheckpointCounters } from '@headstart/checkpoint';
import type { AdamW, BertConfig, BertModel } from '@headstart/model';
import { createAdamW, createBertModel, createRng, disposeModel } from '@headstart/model';
import type { TrainingRngs } from './seeds';
import { createTrainingRngs, deriveSeed } from './seeds';
import type { TrainingConfig } from './training-config';

export type { EvalRecord } from '@headstart/checkpoint';
/** The counters of a run, exactly what its checkpoints record. */
export type RunCounters = CheckpointCounters;

export interface TrainingSession {
  readonly config: TrainingConfig;
  readonly model: BertModel;
  readonly optimizer: AdamW;
  readonly rngs: TrainingRngs;
  counters: RunCounters;
}

export function createOptimizer(model: BertModel, config: TrainingConfig): AdamW {
  return createAdamW(model.params, {
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.adamEpsilon,
    weightDecay: config.weightDecay,
  });
}

/**
 * A fresh session: weights initialised from the run seed (or `initial`'s, for a run that continues from
 * a base; the session then owns it), moments at zero, step 0.
 */
export function createSession(
  modelConfig: BertConfig,
  config: TrainingConfig,
  initial?: BertModel,
): TrainingSession {
  const model = initial ?? createBertModel(modelConfig, { rng: createRng(deriveSeed(config.seed, 'init')) });
  return {
    config,
    model,
    optimizer: createOptimizer(model, config),
    rngs: createTrainingRngs(config.seed, config.mixture?.length ?? 1),
    counters: {
      step: 0,
      tokensSeen: 0,
      ...(config.mixture ? { sourceTokens: config.mixture.map(() => 0) } : {}),
      loss: NaN,
      trainingMs: 0,
    },
  };
}

export function disposeSession(session: TrainingSession): void {
  session.optimizer.dispose();
  disposeModel(session.model);
}
