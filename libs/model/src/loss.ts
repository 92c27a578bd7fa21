// Cross-entropy from logits, numerically stable (log-sum-exp after subtracting the row max), with the
// closed-form gradient (softmax − one-hot) instead of autodiff through log/exp/gather.
import * as tf from '@tensorflow/tfjs-core';

/** 'mean' averages over rows; 'sum' adds them up (for gradient accumulation over micro-batches). */
export type Reduction = 'mean' | 'sum';

const crossEntropyOp = (reduction: Reduction) =>
  tf.customGrad((...args) => {
    const [logits, oneHot, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const scale = reduction === 'mean' ? 1 / logits.shape[0] : 1;
    const value = tf.tidy(() => {
      const shifted = tf.sub(logits, tf.max(logits, -1, true));
      const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
      save([logProbs, oneHot]);
      return tf.mul(tf.neg(tf.sum(tf.mul(logProbs, oneHot))), scale) as tf.Scalar;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [lp, oh] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [tf.mul(tf.sub(tf.exp(lp), oh), tf.mul(dy, scale)), tf.zerosLike(oh)];
        }),
    };
  });

const ops = { mean: crossEntropyOp('mean'), sum: crossEntropyOp('sum') };

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
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes, 1, 0, 'float32') as tf.Tensor2D;
  return ops[reduction](logits, oneHot) as tf.Scalar;
}
