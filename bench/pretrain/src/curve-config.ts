// Config A as the learning-curve benches train it: the model, and @headstart/pretrain's TrainingConfig
// with the reference setup's optimizer (AdamW β 0.9/0.98, ε 1e-6, weight decay 0.01, clip 1.0) and a
// warmup-then-decay schedule. Shared by learning-curve.ts and sample-efficiency.ts so both measure the
// same training.
import type { BertConfig } from '@headstart/model';
import { resolveConfig } from '@headstart/model';
import type { LrDecayName, TrainingConfig } from '@headstart/pretrain/internal';

export interface CurveSchedule {
  lr: number;
  warmup: number;
  decay: LrDecayName;
  minLrRatio: number;
  batch: number;
  seq: number;
  accum: number;
  evalEvery: number;
  evalBatches: number;
  seed: number;
}

export const DEFAULT_CURVE_SCHEDULE: CurveSchedule = {
  lr: 1e-3,
  warmup: 100,
  decay: 'cosine',
  minLrRatio: 0.1,
  batch: 32,
  seq: 128,
  accum: 1,
  evalEvery: 50,
  evalBatches: 10,
  seed: 1,
};

/** Config A (d 128, 4 heads, ff 512, 2 layers), dropout 0: the reference trains without dropout. */
export function configAModel(vocabSize: number, seqLen: number): BertConfig {
  return resolveConfig({ vocabSize, dModel: 128, heads: 4, ff: 512, layers: 2, maxLen: seqLen, dropout: 0 });
}

export function curveTrainingConfig(s: CurveSchedule, totalSteps: number): TrainingConfig {
  return {
    learningRate: s.lr,
    warmupSteps: Math.min(s.warmup, Math.max(0, totalSteps - 1)),
    decay: s.decay,
    minLearningRate: s.lr * s.minLrRatio,
    weightDecay: 0.01,
    beta1: 0.9,
    beta2: 0.98,
    adamEpsilon: 1e-6,
    clipNorm: 1,
    batchSize: s.batch,
    seqLen: s.seq,
    gradAccumulation: s.accum,
    totalSteps,
    tokenBudget: 0,
    timeBudgetMs: 0,
    evalEvery: s.evalEvery,
    evalBatches: s.evalBatches,
    checkpointEvery: 1e9,
    keepLast: 1,
    maskProb: 0.15,
    seed: s.seed,
    backend: 'cpu',
  };
}
