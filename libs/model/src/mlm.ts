// Masked-LM head: gather the masked rows first, then transform (dense → GELU → LayerNorm) and project onto
// the vocabulary with the word-embedding matrix (tied) plus an output bias. Projecting only the ~15% masked
// rows cuts the largest matmul of the step by ~7×.
import * as tf from '@tensorflow/tfjs-core';
import type { BertModel, EncoderInput, ForwardOptions } from './encoder';
import { encode } from './encoder';
import { gatherRows } from './gather';
import { gelu, layerNorm, linear } from './layers';
import type { Reduction } from './loss';
import { softmaxCrossEntropy } from './loss';
import { WORD_EMBEDDINGS, param } from './params';

export interface MaskedInput extends EncoderInput {
  /** Flat indices (b·seqLen + s) of the positions to predict. */
  maskedPositions: Int32Array;
}

export interface MlmBatch extends MaskedInput {
  /** The original token at each masked position, aligned with `maskedPositions`. */
  maskedLabels: Int32Array;
}

export interface MlmLossOptions extends ForwardOptions {
  /** @default 'mean' (over masked tokens); 'sum' for accumulating micro-batches. */
  reduction?: Reduction;
}

function checkPositions(input: MaskedInput): void {
  const limit = input.batchSize * input.seqLen;
  if (input.maskedPositions.length === 0) throw new RangeError('the batch has no masked positions');
  for (const p of input.maskedPositions) {
    if (p < 0 || p >= limit) throw new RangeError(`masked position ${p} outside [0, ${limit})`);
  }
}

/** Vocabulary logits [maskedPositions, vocabSize]. Call inside tf.tidy or a gradient function. */
export function mlmLogits(model: BertModel, input: MaskedInput, options: ForwardOptions = {}): tf.Tensor2D {
  checkPositions(input);
  const { params, config } = model;
  const get = (name: string) => param(params, `cls.predictions.${name}`);
  const hidden = encode(model, input, options);
  const rows = gatherRows(hidden, tf.tensor1d(input.maskedPositions, 'int32'));
  const dense = gelu(linear(rows, get('transform.dense.weight'), get('transform.dense.bias')));
  const transformed = layerNorm(
    dense,
    get('transform.LayerNorm.weight'),
    get('transform.LayerNorm.bias'),
    config.layerNormEps,
  );
  // The tied projection transformed · Eᵀ + bias as one fused matmul-with-bias kernel.
  const words = param(params, WORD_EMBEDDINGS) as tf.Tensor2D;
  return tf.fused.matMul({ a: transformed, b: words, transposeB: true, bias: get('bias') }) as tf.Tensor2D;
}

/** Cross-entropy over the masked tokens (mean by default). Call inside tf.tidy or a gradient function. */
export function mlmLoss(model: BertModel, batch: MlmBatch, options: MlmLossOptions = {}): tf.Scalar {
  if (batch.maskedLabels.length !== batch.maskedPositions.length) {
    throw new RangeError(
      `${batch.maskedLabels.length} masked labels for ${batch.maskedPositions.length} masked positions`,
    );
  }
  return softmaxCrossEntropy(
    mlmLogits(model, batch, options),
    batch.maskedLabels,
    options.reduction ?? 'mean',
  );
}

/** Evaluation-mode MLM loss of one batch, as a number. */
export async function evaluateMlmLoss(model: BertModel, batch: MlmBatch): Promise<number> {
  const loss = tf.tidy(() => mlmLoss(model, batch));
  try {
    return (await loss.data())[0] as number;
  } finally {
    loss.dispose();
  }
}

export interface MaskPrediction {
  /** Most probable token ids, best first. */
  tokenIds: Int32Array;
  probabilities: Float32Array;
}

/** Fill-mask: the top-k tokens and their probabilities at each masked position. */
export async function predictMasked(
  model: BertModel,
  input: MaskedInput,
  k: number,
): Promise<MaskPrediction[]> {
  const top = tf.tidy(() => {
    const probs = tf.softmax(mlmLogits(model, input));
    const { values, indices } = tf.topk(probs, Math.min(k, model.config.vocabSize));
    return [values, indices] as const;
  });
  try {
    const [values, indices] = await Promise.all([top[0].data(), top[1].data()]);
    const width = top[0].shape[1] ?? 0;
    return Array.from(input.maskedPositions, (_, row) => ({
      tokenIds: Int32Array.from(indices.subarray(row * width, (row + 1) * width)),
      probabilities: Float32Array.from(values.subarray(row * width, (row + 1) * width)),
    }));
  } finally {
    top[0].dispose();
    top[1].dispose();
  }
}
