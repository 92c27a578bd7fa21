// Sequence classification on the [CLS] (first) position, as HF's BertForSequenceClassification does it:
// pooler (dense + tanh) → dropout → linear to the labels. We keep the pooler, although pre-training has no
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
  const hidden = encode(model, input, options);
  const d = config.dModel;
  const first = tf.reshape(
    tf.slice(tf.reshape(hidden, [input.batchSize, input.seqLen, d]), [0, 0, 0], [input.batchSize, 1, d]),
    [input.batchSize, d],
  );
  const pooled = tf.tanh(
    linear(first, param(params, 'bert.pooler.dense.weight'), param(params, 'bert.pooler.dense.bias')),
  );
  const dropped = dropout(pooled, config.dropout, dropoutRng(config, options));
  return linear(dropped, param(params, 'classifier.weight'), param(params, 'classifier.bias'));
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
