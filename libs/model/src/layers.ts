// The building blocks, as plain functions of tensors. Activations are kept 2-D ([rows, features]) so every
// projection is a single non-transposed matmul.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng';

/** x·W + b with W stored [in, out]. */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D), bias);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// GELU with the exact erf form (HF 'gelu', torch's default), not the tanh approximation. A custom gradient
// keeps two saved tensors instead of the half-dozen autodiff would keep.
const geluOp = tf.customGrad((...args) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  // Inner tidies free intermediates at once; save() keeps its own copies for the backward pass.
  const value = tf.tidy(() => {
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    save([x, cdf]);
    return tf.mul(x, cdf);
  });
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [xs, cdfs] = saved as [tf.Tensor, tf.Tensor];
        const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
        return tf.mul(dy, tf.add(cdfs, tf.mul(xs, pdf)));
      }),
  };
});

export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}

// LayerNorm over the last axis of [rows, d], with its closed-form gradient:
//   dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)),  g = dy ⊙ γ;  dγ = Σ_rows dy ⊙ x̂;  dβ = Σ_rows dy.
const layerNormOp = (eps: number) =>
  tf.customGrad((...args) => {
    const [x, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const value = tf.tidy(() => {
      const mean = tf.mean(x, -1, true);
      const centered = tf.sub(x, mean);
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
      const normed = tf.mul(centered, rstd);
      save([normed, rstd, gamma]);
      return tf.add(tf.mul(normed, gamma), beta);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xhat, r, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const dxhat = tf.mul(dy, g);
          const meanDxhat = tf.mean(dxhat, -1, true);
          const meanDxhatXhat = tf.mean(tf.mul(dxhat, xhat), -1, true);
          const dx = tf.mul(r, tf.sub(tf.sub(dxhat, meanDxhat), tf.mul(xhat, meanDxhatXhat)));
          return [dx, tf.sum(tf.mul(dy, xhat), 0), tf.sum(dy, 0)];
        }),
    };
  });

const layerNormByEps = new Map<number, ReturnType<typeof layerNormOp>>();

export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  let op = layerNormByEps.get(eps);
  if (!op) {
    op = layerNormOp(eps);
    layerNormByEps.set(eps, op);
  }
  return op(x, gamma, beta) as tf.Tensor2D;
}

/**
 * Inverted dropout with a mask drawn from our own RNG, so training is deterministic across backends and
 * resumable from the RNG state. Identity when `rng` is absent (evaluation) or the rate is 0.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng | undefined): T {
  if (!rng || rate === 0) return x;
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = rng.fillUniform(new Float32Array(x.size));
  for (let i = 0; i < mask.length; i++) mask[i] = (mask[i] as number) < keep ? scale : 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}
