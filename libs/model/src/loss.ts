// Cross-entropy from logits with int32 labels: @headstart/compute's fused softmax cross-entropy. On
// 'headstart-cpu' it is one native kernel forward (a stable log-sum-exp per row) and one backward
// ((softmax − one-hot) · scale, recomputed from the saved logits), with no [rows, classes] one-hot or
// log-probability tensor kept; elsewhere it runs as a composition of standard ops.
import { softmaxCrossEntropy as fusedSoftmaxCrossEntropy } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';

/** 'mean' averages over rows; 'sum' adds them up (for gradient accumulation over micro-batches). */
export type Reduction = 'mean' | 'sum';

/** −Σ log softmax(logits)[label] over rows of [rows, classes], reduced per `reduction`. */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: Int32Array,
  reduction: Reduction,
): tf.Scalar {
  const [rows, classes] = logits.shape;
  if (labels.length !== rows) throw new RangeError(`${labels.length} labels for ${rows} rows of logits`);
  if (rows === 0) throw new RangeError('cross-entropy over zero rows is undefined');
  for (const label of labels) {
    if (label < 0 || label >= classes) throw new RangeError(`label ${label} outside [0, ${classes})`);
  }
  const sum = fusedSoftmaxCrossEntropy(logits, tf.tensor1d(labels, 'int32'), 1);
  // The mean scales the sum afterwards rather than passing 1/rows as the op's scale: the op keeps one
  // gradient function per distinct scale, and row counts vary from batch to batch.
  return reduction === 'mean' ? tf.mul(sum, 1 / rows) : sum;
}
