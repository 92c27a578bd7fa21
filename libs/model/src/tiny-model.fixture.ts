// Shared test fixtures: the backends every backend-dependent test runs on, a tiny config and
// reproducible batches.
import '@tensorflow/tfjs-backend-cpu';
import './register-gradients';
import { NATIVE_BACKEND_NAME, selectBackend } from '@headstart/compute';
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { resolveConfig } from './config';
import type { MlmBatch } from './mlm';
import type { Rng } from './rng';

/**
 * TF.js's pure-JS 'cpu' backend (the reference; the fused ops run as compositions there) and
 * 'headstart-cpu' (native kernels, including the fused LayerNorm, GELU, cross-entropy and AdamW).
 */
export const TEST_BACKENDS = ['cpu', NATIVE_BACKEND_NAME] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Activates `backend`; for 'headstart-cpu' fails if the native addon is not built. */
export async function useBackend(backend: TestBackend): Promise<void> {
  // Silences the one-time "install tfjs-node" banner. (Not IS_TEST: its per-kernel leak check counts the
  // tensors a customGrad saves for its backward pass as leaks.)
  tf.env().set('PROD', true);
  if (backend === NATIVE_BACKEND_NAME) {
    const info = await selectBackend({ backend: 'cpu', threads: 2 });
    if (info.name !== NATIVE_BACKEND_NAME) {
      throw new Error(`native backend unavailable: ${JSON.stringify(info.details)}`);
    }
  } else {
    await tf.setBackend(backend);
  }
  await tf.ready();
}

/** `describe` once per test backend, with that backend active for the block's hooks and tests. */
export function describeOnBackends(title: string, body: (backend: TestBackend) => void): void {
  describe.each(TEST_BACKENDS)(`${title} (%s)`, (backend) => {
    beforeAll(() => useBackend(backend));
    body(backend);
  });
}

export const TINY: BertConfig = resolveConfig({
  vocabSize: 50,
  dModel: 16,
  heads: 2,
  layers: 2,
  ff: 32,
  maxLen: 8,
  dropout: 0,
});

export const MASK_ID = 1;

/**
 * Random token rows; the last row ends in `padding` pad tokens (id 0, attention 0). About `maskRate` of the
 * real tokens (at least one per row) are replaced by MASK_ID and become prediction targets.
 */
export function makeMlmBatch(
  rng: Rng,
  batchSize: number,
  seqLen: number,
  vocabSize: number,
  padding = 2,
  maskRate = 0.3,
): MlmBatch {
  const inputIds = new Int32Array(batchSize * seqLen);
  const attentionMask = new Int32Array(batchSize * seqLen).fill(1);
  const positions: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    const real = b === batchSize - 1 ? seqLen - padding : seqLen;
    const forced = rng.nextInt(real);
    for (let s = 0; s < seqLen; s++) {
      const i = b * seqLen + s;
      if (s >= real) {
        attentionMask[i] = 0;
        continue;
      }
      const token = 2 + rng.nextInt(vocabSize - 2);
      const masked = s === forced || rng.nextFloat() < maskRate;
      inputIds[i] = masked ? MASK_ID : token;
      if (masked) {
        positions.push(i);
        labels.push(token);
      }
    }
  }
  return {
    inputIds,
    attentionMask,
    batchSize,
    seqLen,
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}

/** Runs `f` in a tidy and reads its scalar result. */
export function scalarOf(f: () => tf.Scalar): number {
  const t = tf.tidy(f);
  const value = t.dataSync()[0] as number;
  t.dispose();
  return value;
}
