// One optimisation step: accumulate gradients over micro-batches, clip by global norm, apply AdamW.
// Everything it allocates is disposed before it returns, so tf.memory().numTensors stays flat.
import type * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from './adamw';
import type { ClassificationBatch } from './classification';
import { classificationLoss } from './classification';
import { clipScale, disposeGradients, globalNorm } from './clip';
import type { BertModel } from './encoder';
import { accumulateGradients } from './gradients';
import type { MlmBatch } from './mlm';
import { mlmLoss } from './mlm';
import type { ParamMap } from './params';
import type { Rng } from './rng';

export interface TrainStepOptions {
  /** Learning rate for this step (see getLr). */
  lr: number;
  /** Clip the global gradient norm to this; 0 or Infinity disables clipping. @default 1.0 */
  maxGradNorm?: number;
}

export interface TrainStepResult {
  /** Mean training loss over the step's items (before the update). */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export interface ModelTrainStepOptions extends TrainStepOptions {
  /** Dropout masks come from here; required when the model's dropout > 0. */
  rng?: Rng;
}

/** A step for any loss: `lossSum` of a micro-batch summed over its `count` items. */
export async function trainStep<B>(
  params: ParamMap,
  optimizer: AdamW,
  microBatches: readonly B[],
  lossSum: (batch: B) => tf.Scalar,
  count: (batch: B) => number,
  options: TrainStepOptions,
): Promise<TrainStepResult> {
  const { loss, grads } = await accumulateGradients(params, microBatches, lossSum, count);
  const maxNorm = options.maxGradNorm ?? 1.0;
  const clip = maxNorm > 0 && Number.isFinite(maxNorm);
  const norm = globalNorm(grads);
  try {
    const gradNorm = (await norm.data())[0] as number;
    // Clipping is AdamW's gradScale (the same float32 product as clipByGlobalNorm's copies, without them).
    optimizer.apply(grads, options.lr, clip ? clipScale(gradNorm, maxNorm) : 1);
    return { loss, gradNorm };
  } finally {
    norm.dispose();
    disposeGradients(grads);
  }
}

/** One masked-LM step; the loss is averaged over all masked tokens of all micro-batches. */
export function mlmTrainStep(
  model: BertModel,
  optimizer: AdamW,
  microBatches: readonly MlmBatch[],
  options: ModelTrainStepOptions,
): Promise<TrainStepResult> {
  const lossSum = (b: MlmBatch) => mlmLoss(model, b, { training: true, rng: options.rng, reduction: 'sum' });
  return trainStep(model.params, optimizer, microBatches, lossSum, (b) => b.maskedLabels.length, options);
}

/** One classification step; the loss is averaged over all sequences of all micro-batches. */
export function classificationTrainStep(
  model: BertModel,
  optimizer: AdamW,
  microBatches: readonly ClassificationBatch[],
  options: ModelTrainStepOptions,
): Promise<TrainStepResult> {
  const lossSum = (b: ClassificationBatch) =>
    classificationLoss(model, b, { training: true, rng: options.rng, reduction: 'sum' });
  return trainStep(model.params, optimizer, microBatches, lossSum, (b) => b.labels.length, options);
}
