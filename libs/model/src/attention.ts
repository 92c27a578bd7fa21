// Multi-head self-attention with separate Q, K, V projections: each projection is one 2-D matmul, and
// @headstart/compute's attention op reads the heads straight out of the projections' [B·S, d] layout (one
// native kernel on 'headstart-cpu', 4-D transposes and batched matmuls elsewhere).
import { selfAttention as attend } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';
import { dropoutMask, linear } from './layers';
import type { ParamMap } from './params';
import { param } from './params';
import type { Rng } from './rng';

export interface AttentionShape {
  batchSize: number;
  seqLen: number;
  heads: number;
  dModel: number;
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
  const q = project('self.query');
  const k = project('self.key');
  const v = project('self.value');
  const { batchSize: batch, seqLen: seq, heads } = shape;
  // Drawn here, after the projections, as before: the RNG stream (so training runs) stays the same.
  const dropMask = dropoutMask([batch, heads, seq, seq], dropoutRate, rng);
  const context = attend(q, k, v, {
    batch,
    seq,
    heads,
    ...(bias ? { keyBias: bias } : {}),
    ...(dropMask ? { dropMask } : {}),
  });
  return linear(
    context,
    param(params, `${prefix}.output.dense.weight`),
    param(params, `${prefix}.output.dense.bias`),
  );
}
