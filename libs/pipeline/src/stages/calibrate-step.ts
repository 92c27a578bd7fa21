// A wall-clock pre-training budget becomes a step count (the run's learning-rate schedule needs its
// length up front): time a few optimizer steps of the same model and batch shape on synthetic tokens,
// in this process, on the backend the in-process worker trains with. Step time does not depend on
// which tokens are fed, only on the shapes.
import {
  createAdamW,
  createBertModel,
  createRng,
  disposeModel,
  mlmTrainStep,
  resolveConfig,
} from '@headstart/model';
import type { MlmBatch } from '@headstart/model';

export interface StepShape {
  vocabSize: number;
  dModel: number;
  heads: number;
  layers: number;
  ff: number;
  dropout: number;
  batchSize: number;
  seqLen: number;
}

export interface StepTiming {
  /** Median milliseconds of the measured steps. */
  medianMs: number;
  samplesMs: number[];
}

function syntheticBatch(shape: StepShape, rng: ReturnType<typeof createRng>): MlmBatch {
  const { batchSize, seqLen, vocabSize } = shape;
  const inputIds = new Int32Array(batchSize * seqLen);
  const positions: number[] = [];
  const labels: number[] = [];
  const firstOrdinary = Math.min(5, vocabSize - 1);
  for (let i = 0; i < inputIds.length; i++) {
    inputIds[i] = firstOrdinary + rng.nextInt(vocabSize - firstOrdinary);
    if (rng.nextFloat() < 0.15) {
      positions.push(i);
      labels.push(inputIds[i] as number);
    }
  }
  if (positions.length === 0) {
    positions.push(0);
    labels.push(inputIds[0] as number);
  }
  return {
    inputIds,
    batchSize,
    seqLen,
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}

/** Times `measured` optimizer steps after `warmup` untimed ones (kernel setup, buffer pools). */
export async function timeTrainingStep(shape: StepShape, warmup = 2, measured = 5): Promise<StepTiming> {
  const config = resolveConfig({
    vocabSize: shape.vocabSize,
    dModel: shape.dModel,
    heads: shape.heads,
    layers: shape.layers,
    ff: shape.ff,
    maxLen: shape.seqLen,
    dropout: shape.dropout,
  });
  const rng = createRng(1);
  const model = createBertModel(config, { rng });
  const optimizer = createAdamW(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.01 });
  const samplesMs: number[] = [];
  try {
    for (let i = 0; i < warmup + measured; i++) {
      const batch = syntheticBatch(shape, rng);
      const started = performance.now();
      await mlmTrainStep(model, optimizer, [batch], { lr: 1e-4, rng });
      if (i >= warmup) samplesMs.push(performance.now() - started);
    }
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)] as number;
  return { medianMs, samplesMs };
}

/**
 * Steps that fit `minutes` at `stepMs` a step, leaving room for the evaluations (forward passes only,
 * about a third of a training step per batch) and checkpoint uploads. At least 1.
 */
export function stepsForMinutes(
  minutes: number,
  stepMs: number,
  overhead: { evaluations: number; evalBatches: number; checkpoints: number; checkpointMs?: number },
): number {
  const budgetMs = minutes * 60_000 - overhead.checkpoints * (overhead.checkpointMs ?? 2_000);
  const evalSteps = (overhead.evaluations * overhead.evalBatches) / 3;
  return Math.max(1, Math.floor(budgetMs / stepMs - evalSteps));
}
