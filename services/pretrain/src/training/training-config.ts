// The effective settings of a run's optimisation and data pipeline, with the documented defaults. The
// proto's TrainingConfig (optional fields) resolves into this; checkpoints carry it as JSON.
import type { BackendChoice } from '@headstart/compute';

export type LrDecayName = 'cosine' | 'linear' | 'constant';

export interface TrainingConfig {
  /** Peak learning rate, reached at the end of warmup. @default 1e-3 */
  learningRate: number;
  /** @default 100 */
  warmupSteps: number;
  /** @default 'cosine' */
  decay: LrDecayName;
  /** Floor of the decay. @default learningRate / 10 */
  minLearningRate: number;
  /** Decoupled weight decay of rank ≥ 2 parameters. @default 0.01 */
  weightDecay: number;
  /** @default 0.9 */
  beta1: number;
  /** 0.98 rather than 0.999 (RoBERTa's choice): steadier with large batches and short warmups. @default 0.98 */
  beta2: number;
  /** @default 1e-6 */
  adamEpsilon: number;
  /** Global-norm clipping threshold; 0 disables it. @default 1.0 */
  clipNorm: number;
  /** Sequences per micro-batch. @default 32 */
  batchSize: number;
  /** Tokens per sequence, [CLS] and separators included. @default 128 */
  seqLen: number;
  /** Micro-batches per optimizer step. @default 1 */
  gradAccumulation: number;
  /** Optimizer steps of the run (already reconciled with the token budget). @default 2000 */
  totalSteps: number;
  /** The token budget asked for (0: none); informative once totalSteps is resolved. */
  tokenBudget: number;
  /**
   * Wall-clock milliseconds of training, evaluations and checkpoints included (0: none). The decay
   * follows the share used and the run ends at the first step boundary past it; totalSteps is then a cap.
   */
  timeBudgetMs: number;
  /** @default 200 */
  evalEvery: number;
  /** @default 20 */
  evalBatches: number;
  /** @default 500 */
  checkpointEvery: number;
  /** Local checkpoints kept besides the best. @default 3 */
  keepLast: number;
  /** @default 0.15 */
  maskProb: number;
  /**
   * A mixed run's source weights, normalised to sum to 1, in the order of its mixture; absent for a run
   * with one source.
   */
  mixture?: number[];
  /** Seeds the init, data order, masks and dropout. */
  seed: number;
  /** Backend the run asks for; undefined leaves the worker's own choice. */
  backend: BackendChoice | undefined;
}

export const DEFAULT_TRAINING = Object.freeze({
  learningRate: 1e-3,
  warmupSteps: 100,
  decay: 'cosine' as LrDecayName,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.98,
  adamEpsilon: 1e-6,
  clipNorm: 1.0,
  batchSize: 32,
  seqLen: 128,
  gradAccumulation: 1,
  maxSteps: 2000,
  evalEvery: 200,
  evalBatches: 20,
  checkpointEvery: 500,
  keepLast: 3,
  maskProb: 0.15,
  timeBudgetMs: 0,
});

/** Tokens one optimizer step trains on. */
export function tokensPerStep(
  config: Pick<TrainingConfig, 'batchSize' | 'seqLen' | 'gradAccumulation'>,
): number {
  return config.batchSize * config.seqLen * config.gradAccumulation;
}

/** The step cap of a run with only a time budget: the largest max_steps a spec may ask for. */
export const TIME_BUDGET_STEP_CAP = 1_000_000_000;

/**
 * Steps of a run: max_steps, or the steps that cover the token budget (rounded up), whichever ends
 * first; with neither, the cap when a time budget ends the run, else 2000.
 */
export function resolveTotalSteps(
  maxSteps: number,
  tokenBudget: number,
  perStep: number,
  timeBudgeted = false,
): number {
  const byBudget = tokenBudget > 0 ? Math.ceil(tokenBudget / perStep) : Infinity;
  const byMax = maxSteps > 0 ? maxSteps : Infinity;
  const steps = Math.min(byBudget, byMax);
  if (Number.isFinite(steps)) return steps;
  return timeBudgeted ? TIME_BUDGET_STEP_CAP : DEFAULT_TRAINING.maxSteps;
}

/** Share of the run done, 0..1: of its steps, or of its time budget when that is nearer its end. */
export function fractionDone(
  counters: { step: number; trainingMs: number },
  config: Pick<TrainingConfig, 'totalSteps' | 'timeBudgetMs'>,
): number {
  const bySteps = counters.step / config.totalSteps;
  const byTime = config.timeBudgetMs > 0 ? counters.trainingMs / config.timeBudgetMs : 0;
  return Math.min(1, Math.max(bySteps, byTime));
}
