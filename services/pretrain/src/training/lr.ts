// The learning rate of each update: linear warmup to the peak, then cosine (or linear) decay to the floor
// at the last step — nanoGPT's get_lr, here @headstart/model's getLr fed with the run's settings. A run
// with a time budget decays with the share of the budget used instead (getLrByFraction), so its decay
// ends when its time does.
import { getLr, getLrByFraction } from '@headstart/model';
import type { TrainingConfig } from './training-config';

/**
 * Learning rate of the update that takes the run from `step` to `step + 1` (0-based), `trainingMs`
 * into its time budget (ignored without one).
 */
export function lrAt(step: number, config: TrainingConfig, trainingMs = 0): number {
  const schedule = {
    peak: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.totalSteps,
    decay: config.decay,
    minLr: config.minLearningRate,
  };
  if (config.timeBudgetMs > 0) return getLrByFraction(step, trainingMs / config.timeBudgetMs, schedule);
  return getLr(step, schedule);
}
