// The learning rate of each update: linear warmup to the peak, then cosine (or linear) decay to the floor
// at the last step — nanoGPT's get_lr, here @headstart/model's getLr fed with the run's settings.
import { getLr } from '@headstart/model';
import type { TrainingConfig } from './training-config';

/** Learning rate of the update that takes the run from `step` to `step + 1` (0-based). */
export function lrAt(step: number, config: TrainingConfig): number {
  return getLr(step, {
    peak: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.totalSteps,
    decay: config.decay,
    minLr: config.minLearningRate,
  });
}
