// Fused training ops. On 'headstart-cpu' each is one native kernel forward and one backward, instead of
// the 5-12 kernels (and passes over memory) of its composition; on any other backend each runs as that
// composition of standard ops, so models can call them unconditionally. Results agree within float
// rounding (see fused_ops.test.ts).
import { getKernel, registerGradient, Softmax } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor as CoreTensor } from '@tensorflow/tfjs-core';
import { FusedKernel } from '../kernels/fused';
import { tf } from '../tf';

type Tensor = tf.Tensor;

function native(kernel: string): boolean {
  return getKernel(kernel, tf.getBackend()) !== undefined;
}

function run(kernel: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap = {}): Tensor | Tensor[] {
  return tf.engine().runKernel(kernel, inputs as Record<string, CoreTensor>, attrs) as Tensor | Tensor[];
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const geluOp = tf.customGrad((...args) => {
  const [x, save] = args as [Tensor, tf.GradSaveFunc];
  save([x]);
  const value = native(FusedKernel.gelu)
    ? (run(FusedKernel.gelu, { x }) as Tensor)
    : tf.tidy(() => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))));
  return {
    value,
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const xs = saved[0] as Tensor;
      if (native(FusedKernel.geluGrad)) return run(FusedKernel.geluGrad, { dy, x: xs }) as Tensor;
      return tf.tidy(() => {
        const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(xs, Math.SQRT1_2))));
        const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs))));
        return tf.mul(dy, tf.add(cdf, tf.mul(xs, pdf)));
      });
    },
  };
});

/** GELU, exact erf form (torch's default): x · Φ(x). Float32. */
export function gelu<T extends Tensor>(x: T): T {
  return geluOp(x) as T;
}

function layerNormComposite(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    return tf.add(tf.mul(tf.mul(centered, rstd), gamma), beta);
  });
}

function layerNormGradComposite(dy: Tensor, x: Tensor, gamma: Tensor, eps: number): Tensor[] {
  return tf.tidy(() => {
    const d = x.shape[x.shape.length - 1] as number;
    const rows = x.size / d;
    const x2 = tf.reshape(x, [rows, d]);
    const dy2 = tf.reshape(dy, [rows, d]);
    const mean = tf.mean(x2, -1, true);
    const centered = tf.sub(x2, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    const xhat = tf.mul(centered, rstd);
    const g = tf.mul(dy2, gamma);
    const dx = tf.mul(
      rstd,
      tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))),
    );
    return [tf.reshape(dx, x.shape), tf.sum(tf.mul(dy2, xhat), 0), tf.sum(dy2, 0)];
  });
}

const layerNormOps = new Map<number, (x: Tensor, gamma: Tensor, beta: Tensor) => Tensor>();

function layerNormOp(eps: number): (x: Tensor, gamma: Tensor, beta: Tensor) => Tensor {
  let op = layerNormOps.get(eps);
  if (op) return op;
  op = tf.customGrad((...args) => {
    const [x, gamma, beta, save] = args as [Tensor, Tensor, Tensor, tf.GradSaveFunc];
    save([x, gamma]);
    const value = native(FusedKernel.layerNorm)
      ? (run(FusedKernel.layerNorm, { x, gamma, beta }, { epsilon: eps }) as Tensor)
      : layerNormComposite(x, gamma, beta, eps);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, g] = saved as [Tensor, Tensor];
        if (native(FusedKernel.layerNormGrad)) {
          return run(FusedKernel.layerNormGrad, { dy, x: xs, gamma: g }, { epsilon: eps }) as Tensor[];
        }
        return layerNormGradComposite(dy, xs, g, eps);
      },
    };
  }) as (x: Tensor, gamma: Tensor, beta: Tensor) => Tensor;
  layerNormOps.set(eps, op);
  return op;
}

/** LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta (biased variance, as torch). */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, eps: number): T {
  return layerNormOp(eps)(x, gamma, beta) as T;
}

const xentOps = new Map<number, (logits: Tensor, labels: Tensor) => Tensor>();

function xentOp(scale: number): (logits: Tensor, labels: Tensor) => Tensor {
  let op = xentOps.get(scale);
  if (op) return op;
  op = tf.customGrad((...args) => {
    const [logits, labels, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    if (native(FusedKernel.softmaxXent)) {
      // Saves only the inputs: the backward recomputes the softmax rather than keeping [rows, classes].
      save([logits, labels]);
      const rowLoss = run(FusedKernel.softmaxXent, { logits, labels }) as Tensor;
      return {
        value: tf.mul(tf.sum(rowLoss), scale),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [x, l] = saved as [Tensor, Tensor];
          const s = scale * ((dy.dataSync() as Float32Array)[0] as number);
          return [
            run(FusedKernel.softmaxXentGrad, { logits: x, labels: l }, { scale: s }) as Tensor,
            tf.zerosLike(l),
          ];
        },
      };
    }
    const classes = logits.shape[logits.shape.length - 1] as number;
    save([logits, labels]);
    const value = tf.tidy(() => {
      const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels as tf.Tensor1D, classes)), -1);
      return tf.mul(tf.neg(tf.sum(picked)), scale);
    });
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [x, l] = saved as [Tensor, Tensor];
        return tf.tidy(() => [
          tf.mul(tf.sub(tf.softmax(x), tf.oneHot(l as tf.Tensor1D, classes)), tf.mul(dy, scale)),
          tf.zerosLike(l),
        ]);
      },
    };
  }) as (logits: Tensor, labels: Tensor) => Tensor;
  xentOps.set(scale, op);
  return op;
}

/**
 * Softmax cross-entropy of logits [rows, classes] against int32 labels [rows], summed over rows and
 * multiplied by `scale` (1/rows for the mean). Labels must lie in [0, classes).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, scale: number): tf.Scalar {
  if (labels.dtype !== 'int32') throw new TypeError(`labels must be int32, got ${labels.dtype}`);
  return xentOp(scale)(logits, labels) as tf.Scalar;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (AdamW); 0 for parameters that are not decayed. */
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
  /** Multiplies the gradient first (clipping by global norm), exactly as a separate multiply. @default 1 */
  gradScale?: number;
}

/**
 * One AdamW update (torch.optim.AdamW's formula): m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
 * p' = p·(1 − lr·wd) − lr/(1−β1^t) · m' / (sqrt(v')/sqrt(1−β2^t) + ε). Returns new tensors; the caller
 * assigns them (variable.assign) and disposes the old ones.
 */
export function adamwUpdate(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  h: AdamWHyper,
): { param: Tensor; m: Tensor; v: Tensor } {
  const decay = 1 - h.lr * h.weightDecay;
  const stepSize = h.lr / (1 - h.beta1 ** h.step);
  const bias2Sqrt = Math.sqrt(1 - h.beta2 ** h.step);
  const gradScale = h.gradScale ?? 1;
  if (native(FusedKernel.adamw)) {
    const attrs = {
      beta1: h.beta1,
      beta2: h.beta2,
      epsilon: h.epsilon,
      decay,
      stepSize,
      bias2Sqrt,
      gradScale,
    };
    const [p2, m2, v2] = run(FusedKernel.adamw, { param, grad, m, v }, attrs) as Tensor[];
    return { param: p2 as Tensor, m: m2 as Tensor, v: v2 as Tensor };
  }
  return tf.tidy(() => {
    const g = gradScale === 1 ? grad : tf.mul(grad, gradScale);
    const m2 = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1));
    const v2 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
    const denom = tf.add(tf.div(tf.sqrt(v2), bias2Sqrt), h.epsilon);
    const p2 = tf.sub(tf.mul(param, decay), tf.mul(tf.div(m2, denom), stepSize));
    return { param: p2, m: m2, v: v2 };
  });
}

/**
 * Σ x² over all elements of all `tensors`, as a float32 scalar: one native pass per tensor accumulated in
 * double on 'headstart-cpu' (for a global gradient norm), square-sum-addN elsewhere. Not differentiable.
 */
export function sumOfSquares(tensors: readonly Tensor[]): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  if (native(FusedKernel.sumSquares)) {
    const inputs = Object.fromEntries(tensors.map((t, i) => [String(i), t]));
    return run(FusedKernel.sumSquares, inputs) as tf.Scalar;
  }
  return tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
}

/**
 * Replaces the Softmax gradient (process-wide, as gradients are) with one that runs a single fused
 * kernel where the backend has it and the standard composition dy·y − y·Σ(dy·y) elsewhere.
 */
export function registerSoftmaxGradient(): void {
  registerGradient({
    kernelName: Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0] as Tensor;
      const dyT = dy as Tensor;
      const dim = Number((attrs as { dim?: number }).dim ?? -1);
      const last = dim === -1 || dim === y.rank - 1;
      if (last && native(FusedKernel.softmaxGrad)) {
        return { logits: () => run(FusedKernel.softmaxGrad, { dy: dyT, y }) as CoreTensor };
      }
      return {
        logits: () => {
          const dyTimesY = tf.mul(dyT, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y)) as CoreTensor;
        },
      };
    },
  });
}
