// The building blocks, as plain functions of tensors. Activations are kept 2-D ([rows, features]) so every
// projection is a single non-transposed matmul.
import { gelu as fusedGelu, layerNorm as fusedLayerNorm } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng';

/**
 * x·W + b with W stored [in, out]: one fused matmul-with-bias kernel (a native one on 'headstart-cpu')
 * instead of a matmul and a broadcast add; its gradient sums dy over rows for the bias.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: weight as tf.Tensor2D, bias }) as tf.Tensor2D;
}

/**
 * GELU with the exact erf form (HF 'gelu', torch's default), not the tanh approximation. @headstart/compute's
 * fused op: one native kernel forward and one backward on 'headstart-cpu', a composition elsewhere; it
 * saves only x for the backward pass.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return fusedGelu(x);
}

/**
 * LayerNorm over the last axis of [rows, d] (biased variance, as torch), with its closed-form gradient
 *   dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)),  g = dy ⊙ γ;  dγ = Σ_rows dy ⊙ x̂;  dβ = Σ_rows dy,
 * as @headstart/compute's fused op (native kernels on 'headstart-cpu', a composition elsewhere).
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  return fusedLayerNorm(x as tf.Tensor2D, gamma, beta, eps);
}

/**
 * Inverted dropout with a mask drawn from our own RNG, so training is deterministic across backends and
 * resumable from the RNG state. Identity when `rng` is absent (evaluation) or the rate is 0.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng | undefined): T {
  const mask = dropoutMask(x.shape, rate, rng);
  return mask ? tf.mul(x, mask) : x;
}

/** The multiplier dropout applies (0 or 1/keep per element), or undefined when dropout is off. */
export function dropoutMask(shape: number[], rate: number, rng: Rng | undefined): tf.Tensor | undefined {
  if (!rng || rate === 0) return undefined;
  const keep = 1 - rate;
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillBernoulli(new Float32Array(size), keep, 1 / keep), shape, 'float32');
}
