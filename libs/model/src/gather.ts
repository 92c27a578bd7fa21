// Row gather whose gradient is a scatter-add. tf.gather's own gradient is UnsortedSegmentSum, which the
// wasm backend lacks and the cpu backend runs as one masked pass per output row (a config-A step took
// minutes). scatterND sums duplicate indices, which is exactly the embedding gradient.
import * as tf from '@tensorflow/tfjs-core';

const gatherRowsOp = tf.customGrad((...args) => {
  const [table, indices, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([indices]);
  const shape = table.shape;
  return {
    value: tf.gather(table, indices),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [idx] = saved as [tf.Tensor1D];
      // The indices get a zero "gradient": customGrad wants one per input; integer inputs never use it.
      return tf.tidy(() => [tf.scatterND(tf.expandDims(idx, 1), dy, shape), tf.zeros(idx.shape)]);
    },
  };
});

/** table[indices] for a 2-D table and int32 indices; differentiable in `table`. */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherRowsOp(table, indices) as tf.Tensor2D;
}
