// Multi-head self-attention with separate Q, K, V projections: each projection is one 2-D matmul and the
// head split is a 4-D transpose (a fused QKV matmul would need 5-D transposes, which are slow on wasm).
import * as tf from '@tensorflow/tfjs-core';
import { dropout, linear } from './layers';
import type { ParamMap } from './params';
import { param } from './params';
import type { Rng } from './rng';

export interface AttentionShape {
  batchSize: number;
  seqLen: number;
  heads: number;
  dModel: number;
}

/** [B·S, d] → [B, heads, S, d/heads] */
function splitHeads(x: tf.Tensor2D, s: AttentionShape): tf.Tensor4D {
  const headSize = s.dModel / s.heads;
  return tf.transpose(tf.reshape(x, [s.batchSize, s.seqLen, s.heads, headSize]), [0, 2, 1, 3]);
}

/** [B, heads, S, d/heads] → [B·S, d] */
function mergeHeads(x: tf.Tensor4D, s: AttentionShape): tf.Tensor2D {
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [s.batchSize * s.seqLen, s.dModel]);
}

/**
 * Additive mask [B, 1, 1, S]: 0 where a key may be attended to, −1e9 at padding (exp underflows to exactly
 * 0, as with HF's finfo.min). Undefined when nothing is padded, so the add is skipped.
 */
export function attentionBias(
  mask: ArrayLike<number> | undefined,
  batchSize: number,
  seqLen: number,
): tf.Tensor4D | undefined {
  if (!mask) return undefined;
  if (mask.length !== batchSize * seqLen) {
    throw new RangeError(`attentionMask has ${mask.length} entries, expected ${batchSize}×${seqLen}`);
  }
  const bias = new Float32Array(mask.length);
  let padded = false;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) {
      bias[i] = -1e9;
      padded = true;
    }
  }
  return padded ? tf.tensor4d(bias, [batchSize, 1, 1, seqLen]) : undefined;
}

/** Self-attention of block `prefix` over normalised input x [B·S, d]; returns [B·S, d] before the residual. */
export function selfAttention(
  x: tf.Tensor2D,
  params: ParamMap,
  prefix: string,
  shape: AttentionShape,
  bias: tf.Tensor4D | undefined,
  dropoutRate: number,
  rng: Rng | undefined,
): tf.Tensor2D {
  const project = (name: string) =>
    linear(x, param(params, `${prefix}.${name}.weight`), param(params, `${prefix}.${name}.bias`));
  // Scaling q by 1/√d_head before the product is the same math as scaling the S×S scores, on fewer numbers.
  const q = splitHeads(tf.mul(project('self.query'), 1 / Math.sqrt(shape.dModel / shape.heads)), shape);
  const k = splitHeads(project('self.key'), shape);
  const v = splitHeads(project('self.value'), shape);
  let scores: tf.Tensor4D = tf.matMul(q, k, false, true);
  if (bias) scores = tf.add(scores, bias);
  const probs = dropout(tf.softmax(scores), dropoutRate, rng);
  const context = mergeHeads(tf.matMul(probs, v), shape);
  return linear(
    context,
    param(params, `${prefix}.output.dense.weight`),
    param(params, `${prefix}.output.dense.bias`),
  );
}
