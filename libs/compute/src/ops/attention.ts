// Multi-head self-attention as one op over the projections' own layout [batch·seq, heads·headSize]. On
// 'headstart-cpu' it is one native kernel forward and one backward (per batch item and head: strided
// sgemm → softmax → sgemm, no head split/merge transposes, the 1/√headSize scale folded into the score
// product); elsewhere it is the composition of 4-D transposes, batched matmuls and a softmax.
import { getKernel, registerGradient } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor as CoreTensor } from '@tensorflow/tfjs-core';
import { AttentionKernel } from '../kernels/attention';
import { tf } from '../tf';
import { gradientReadsFirstOutputOnly } from './variable_grads';

type Tensor = tf.Tensor;

export interface AttentionOptions {
  batch: number;
  seq: number;
  heads: number;
  /** Additive mask over keys, [batch, seq] (0 where a key may be attended to, −1e9 at padding). */
  keyBias?: Tensor;
  /** Dropout multiplier of the probabilities, [batch, heads, seq, seq] (0 or 1/keep). */
  dropMask?: Tensor;
}

/** [B·S, d] → [B, heads, S, d/heads] */
function splitHeads(x: Tensor, o: AttentionOptions, d: number): Tensor {
  return tf.transpose(tf.reshape(x, [o.batch, o.seq, o.heads, d / o.heads]), [0, 2, 1, 3]);
}

function composite(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions, scale: number): tf.Tensor2D {
  const d = q.shape[1] as number;
  // Scaling q before the product is the same math as scaling the S×S scores, on fewer numbers.
  const qh = splitHeads(tf.mul(q, scale), o, d);
  let scores = tf.matMul(qh, splitHeads(k, o, d), false, true);
  if (o.keyBias) scores = tf.add(scores, tf.reshape(o.keyBias, [o.batch, 1, 1, o.seq]));
  let probs = tf.softmax(scores);
  if (o.dropMask) probs = tf.mul(probs, o.dropMask);
  const context = tf.matMul(probs, splitHeads(v, o, d));
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [o.batch * o.seq, d]);
}

function run(kernel: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap): Tensor[] {
  return tf.engine().runKernel(kernel, inputs as Record<string, CoreTensor>, attrs) as Tensor[];
}

// A kernel-level gradient rather than customGrad: the forward's second output (the softmax, before
// dropout) is what the backward needs, and a customGrad could keep it only as an intermediate.
function attentionGradient(kernelName: string, withDropout: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: withDropout ? ['q', 'k', 'v', 'dropMask'] : ['q', 'k', 'v'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = (Array.isArray(dys) ? dys[0] : dys) as Tensor;
      const [q, k, v] = saved as Tensor[];
      const probs = saved[saved.length - 1] as Tensor;
      const back: Record<string, Tensor> = { dy, q: q as Tensor, k: k as Tensor, v: v as Tensor, probs };
      if (withDropout) back['dropMask'] = saved[3] as Tensor;
      // All three at once, here: each input's function runs in its own tidy, which would dispose the
      // other two had the first call made them.
      const grads = run(AttentionKernel.backward, back, attrs) as CoreTensor[];
      const grad = (i: number) => () => grads[i] as CoreTensor;
      // The masks are data: zero "gradients" (never asked for unless a mask depends on a variable).
      const zeros = (t: Tensor) => () => tf.zerosLike(t) as CoreTensor;
      return { q: grad(0), k: grad(1), v: grad(2), keyBias: zeros(dy), dropMask: zeros(probs) };
    },
  };
}

registerGradient(attentionGradient(AttentionKernel.forward, false));
registerGradient(attentionGradient(AttentionKernel.forwardDropout, true));
// The probabilities output is only for the backward pass: it never gets a dy of its own.
gradientReadsFirstOutputOnly(AttentionKernel.forward);
gradientReadsFirstOutputOnly(AttentionKernel.forwardDropout);

function fused(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions, scale: number): tf.Tensor2D {
  const attrs = { batch: o.batch, seq: o.seq, heads: o.heads, scale };
  const inputs: Record<string, Tensor> = { q, k, v };
  if (o.keyBias) inputs['keyBias'] = o.keyBias;
  if (o.dropMask) inputs['dropMask'] = o.dropMask;
  const kernel = o.dropMask ? AttentionKernel.forwardDropout : AttentionKernel.forward;
  const [context, probs] = run(kernel, inputs, attrs) as [Tensor, Tensor];
  // The tape keeps its own reference to the probabilities for the backward pass.
  probs.dispose();
  return context as tf.Tensor2D;
}

/**
 * softmax(q·kᵀ/√headSize + keyBias) (⊙ dropMask) · v for every batch item and head, with q, k, v and the
 * result [batch·seq, heads·headSize] (heads side by side in each row, as the projections produce them).
 */
export function selfAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): tf.Tensor2D {
  const d = q.shape[1] as number;
  if (q.rank !== 2 || d % options.heads !== 0 || q.shape[0] !== options.batch * options.seq) {
    throw new RangeError(`attention: q ${q.shape} is not [${options.batch}·${options.seq}, heads·headSize]`);
  }
  const scale = 1 / Math.sqrt(d / options.heads);
  const native = getKernel(AttentionKernel.forward, tf.getBackend()) !== undefined;
  return native ? fused(q, k, v, options, scale) : composite(q, k, v, options, scale);
}
