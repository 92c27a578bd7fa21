// Sequence classification, as HF's BertForSequenceClassification does it: the [CLS] (first) position, or
// with config.pooling 'mean' the mean over non-padding tokens → pooler (dense + tanh) → dropout → linear to
// the labels. We keep the pooler, although pre-training has no
// next-sentence task to train it (it starts from the init at fine-tune time), because it makes the
// checkpoint load as HF MegatronBertForSequenceClassification unchanged, and the extra d×d layer on top of
// the final LayerNorm is a cheap learned adapter.
import * as tf from '@tensorflow/tfjs-core';
import type { BertModel, EncoderInput, ForwardOptions } from './encoder';
import { dropoutRng, encode } from './encoder';
import { dropout, linear } from './layers';
import type { Reduction } from './loss';
import { softmaxCrossEntropy } from './loss';
import { param } from './params';

export interface ClassificationBatch extends EncoderInput {
  /** Class index per sequence, in [0, numLabels). */
  labels: Int32Array;
}

export interface ClassificationLossOptions extends ForwardOptions {
  /** @default 'mean' (over sequences); 'sum' for accumulating micro-batches. */
  reduction?: Reduction;
}

export function numLabelsOf(model: BertModel): number {
  const bias = model.params.get('classifier.bias');
  if (!bias) throw new Error('the model has no classification head (classifier.bias is missing)');
  return bias.shape[0] as number;
}

/** Logits [batchSize, numLabels]. Call inside tf.tidy or a gradient function. */
export function classificationLogits(
  model: BertModel,
  input: EncoderInput,
  options: ForwardOptions = {},
): tf.Tensor2D {
  const { params, config } = model;
  const hidden = tf.reshape(encode(model, input, options), [
    input.batchSize,
    input.seqLen,
    config.dModel,
  ]) as tf.Tensor3D;
  const summary = config.pooling === 'mean' ? meanOverTokens(hidden, input) : firstPosition(hidden);
  const pooled = tf.tanh(
    linear(summary, param(params, 'bert.pooler.dense.weight'), param(params, 'bert.pooler.dense.bias')),
  );
  const dropped = dropout(pooled, config.dropout, dropoutRng(config, options));
  return linear(dropped, param(params, 'classifier.weight'), param(params, 'classifier.bias'));
}

function firstPosition(hidden: tf.Tensor3D): tf.Tensor2D {
  const [batchSize, , d] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [batchSize, 1, d]), [batchSize, d]);
}

/** Mean of the hidden states over the tokens the attention mask keeps (every position without a mask). */
function meanOverTokens(hidden: tf.Tensor3D, input: EncoderInput): tf.Tensor2D {
  if (!input.attentionMask) return tf.mean(hidden, 1);
  const weights = new Float32Array(input.batchSize * input.seqLen);
  const counts = new Float32Array(input.batchSize);
  for (let row = 0; row < input.batchSize; row++) {
    let count = 0;
    for (let t = 0; t < input.seqLen; t++) count += input.attentionMask[row * input.seqLen + t] ? 1 : 0;
    counts[row] = count;
  }
  for (let row = 0; row < input.batchSize; row++) {
    // A row with no token at all (never made by the encoders here) pools to zeros instead of NaN.
    const share = 1 / Math.max(1, counts[row] as number);
    for (let t = 0; t < input.seqLen; t++) {
      const i = row * input.seqLen + t;
      weights[i] = input.attentionMask[i] ? share : 0;
    }
  }
  // [batch, 1, seq] × [batch, seq, d] → [batch, 1, d]: one batched matmul instead of a mask, sum and divide.
  const w = tf.tensor3d(weights, [input.batchSize, 1, input.seqLen]);
  return tf.reshape(tf.matMul(w, hidden), [input.batchSize, hidden.shape[2]]);
}

/** Cross-entropy over sequences (mean by default). Call inside tf.tidy or a gradient function. */
export function classificationLoss(
  model: BertModel,
  batch: ClassificationBatch,
  options: ClassificationLossOptions = {},
): tf.Scalar {
  if (batch.labels.length !== batch.batchSize) {
    throw new RangeError(`${batch.labels.length} labels for a batch of ${batch.batchSize}`);
  }
  return softmaxCrossEntropy(
    classificationLogits(model, batch, options),
    batch.labels,
    options.reduction ?? 'mean',
  );
}

export interface ClassPrediction {
  /** Index of the most probable class. */
  label: number;
  /** Softmax over the classes. */
  probabilities: Float32Array;
}

/** Evaluation-mode predictions for each sequence of the batch. */
export async function classify(model: BertModel, input: EncoderInput): Promise<ClassPrediction[]> {
  const numLabels = numLabelsOf(model);
  const probs = tf.tidy(() => tf.softmax(classificationLogits(model, input)));
  let values: Float32Array;
  try {
    values = (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
  return Array.from({ length: input.batchSize }, (_, row) => {
    const probabilities = values.slice(row * numLabels, (row + 1) * numLabels);
    let label = 0;
    for (let c = 1; c < numLabels; c++)
      if ((probabilities[c] as number) > (probabilities[label] as number)) label = c;
    return { label, probabilities };
  });
}
