// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: every gradient is scaled by
// min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm over all gradients together.
import { sumOfSquares } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';

/** L2 norm over all tensors together (one native pass per tensor on 'headstart-cpu'). */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.sqrt(sumOfSquares([...grads.values()])));
}

/**
 * The factor clipByGlobalNorm multiplies every gradient by, min(1, maxNorm / (norm + 1e-6)), computed in
 * float32 exactly as its tensor ops do, so passing it to AdamW (as gradScale) gives the same update.
 */
export function clipScale(norm: number, maxNorm: number): number {
  const f = Math.fround;
  return Math.min(f(f(maxNorm) / f(f(norm) + f(1e-6))), 1);
}

export interface ClippedGradients {
  grads: Map<string, tf.Tensor>;
  /** The norm before clipping (for logging). */
  norm: tf.Scalar;
}

/** Returns scaled copies and the pre-clip norm; disposes the input gradients. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): ClippedGradients {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const clipped = new Map<string, tf.Tensor>();
  tf.tidy(() => {
    const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    for (const [name, g] of grads) clipped.set(name, tf.keep(tf.mul(g, scale)));
  });
  disposeGradients(grads);
  return { grads: clipped, norm };
}

export function disposeGradients(grads: Map<string, tf.Tensor>): void {
  for (const g of grads.values()) g.dispose();
  grads.clear();
}
