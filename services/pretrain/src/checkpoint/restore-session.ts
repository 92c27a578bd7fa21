// A checkpoint back into a live session: weights, AdamW moments and update count, every RNG state and
// the counters. Continuing from it reproduces the uninterrupted run step for step.
import { disposeModel } from '@headstart/model';
import { createTrainingRngs, restoreRngs } from '../training/seeds';
import type { TrainingSession } from '../training/session';
import { createOptimizer } from '../training/session';
import type { TrainingConfig } from '../training/training-config';
import type { Checkpoint } from '@headstart/checkpoint';

/**
 * @param config the run's training config; it must match the checkpoint's on everything that shapes
 *   the computation (the caller passes the run record's, which is the same spec).
 */
export function restoreSession(checkpoint: Checkpoint, config: TrainingConfig): TrainingSession {
  const { state } = checkpoint;
  const model = checkpoint.loadModel();
  try {
    const optimizer = createOptimizer(model, config);
    optimizer.importState(checkpoint.loadOptimizerState());
    if (optimizer.step !== state.step) {
      throw new Error(`checkpoint at step ${state.step} holds optimizer state of step ${optimizer.step}`);
    }
    const sources = config.mixture?.length ?? 1;
    const rngs = createTrainingRngs(config.seed, sources);
    restoreRngs(rngs, state.rng);
    if (sources > 1 && state.sourceTokens?.length !== sources) {
      throw new Error(
        `checkpoint at step ${state.step} does not count the tokens of the run's ${sources} sources`,
      );
    }
    return {
      config,
      model,
      optimizer,
      rngs,
      counters: {
        step: state.step,
        tokensSeen: state.tokensSeen,
        ...(sources > 1 ? { sourceTokens: [...(state.sourceTokens as number[])] } : {}),
        loss: state.loss,
        // Checkpoints written before time budgets existed did not count it.
        trainingMs: state.trainingMs ?? 0,
        ...(state.lastEval ? { lastEval: state.lastEval } : {}),
        ...(state.bestEval ? { bestEval: state.bestEval } : {}),
        ...(state.bestCheckpoint ? { bestCheckpoint: state.bestCheckpoint } : {}),
      },
    };
  } catch (err) {
    disposeModel(model);
    throw err;
  }
}
