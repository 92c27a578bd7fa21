// Gradient accumulation over micro-batches. Each micro-batch contributes the gradient of
//   (its summed loss) / (the item count of ALL micro-batches together),
// so the accumulated gradient is that of the mean over every masked token of the full batch. Averaging
// per-micro-batch means instead (the bug fixed in transformers PR #34191) over-weights the tokens of
// micro-batches that happen to have few masks, and makes the result depend on how the batch was split.
import './register-gradients';
import { variableGrads } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';
import type { ParamMap } from './params';

export interface AccumulatedGradients {
  /** Mean loss over all counted items of all micro-batches. */
  loss: number;
  /** Gradient per parameter name (parameters the loss does not touch are absent). Caller disposes. */
  grads: Map<string, tf.Tensor>;
}

/**
 * @param lossSum the loss of one micro-batch, summed (not averaged) over its items, as a tf.Scalar
 * @param count the number of items in that sum (masked tokens for MLM, sequences for classification)
 */
export async function accumulateGradients<B>(
  params: ParamMap,
  microBatches: readonly B[],
  lossSum: (batch: B) => tf.Scalar,
  count: (batch: B) => number,
): Promise<AccumulatedGradients> {
  const total = microBatches.reduce((sum, b) => sum + count(b), 0);
  if (microBatches.length === 0 || !(total > 0)) throw new RangeError('no items to compute a loss over');
  const trainable = [...params].filter(([, v]) => v.trainable);
  const ourName = new Map(trainable.map(([name, v]) => [v.name, name]));
  const variables = trainable.map(([, v]) => v);

  const grads = new Map<string, tf.Tensor>();
  let lossTotal: tf.Scalar | undefined;
  for (const batch of microBatches) {
    // @headstart/compute's variableGrads: tf.variableGrads' result, with activations and consumed
    // gradients freed during the backward pass rather than all at its end (a lower memory peak).
    const { value, grads: step } = variableGrads(() => tf.div(lossSum(batch), total), variables);
    for (const [tfName, g] of Object.entries(step)) {
      const name = ourName.get(tfName) as string;
      const previous = grads.get(name);
      grads.set(name, previous ? addAndDispose(previous, g) : g);
    }
    lossTotal = lossTotal ? (addAndDispose(lossTotal, value) as tf.Scalar) : value;
  }
  const loss = lossTotal as tf.Scalar;
  try {
    return { loss: (await loss.data())[0] as number, grads };
  } finally {
    loss.dispose();
  }
}

function addAndDispose(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const sum = tf.add(a, b);
  a.dispose();
  b.dispose();
  return sum;
}
