// Times the TF.js training step: forward, backward (optimizer.minimize) and an Adam update, the loss read
// back each step (as a trainer must to log it). Batches are made before timing starts.
import { tf } from '@headstart/compute';
import type { BenchConfig } from './config';
import type { MlmBatch } from './data';
import { batchTensors, createModel, mlmLoss } from './model';

export interface StepTimings {
  backend: string;
  /** Wall time of each timed step (warm-up excluded). */
  ms: number[];
  losses: number[];
  /** tf.memory().numTensors after each timed step: constant when nothing leaks. */
  numTensors: number[];
}

export async function timeTfjsSteps(
  c: BenchConfig,
  backend: string,
  batches: MlmBatch[],
  warmup: number,
  steps: number,
  seed: number,
): Promise<StepTimings> {
  await tf.setBackend(backend);
  const model = createModel(c, seed);
  const optimizer = tf.train.adam(1e-3);
  const result: StepTimings = { backend, ms: [], losses: [], numTensors: [] };
  for (let i = 0; i < warmup + steps; i++) {
    const batch = batches[i % batches.length] as MlmBatch;
    const t = batchTensors(c, batch);
    const start = performance.now();
    const loss = optimizer.minimize(() => mlmLoss(model, t.ids, t.positions, t.labelIdx), true) as tf.Scalar;
    const value = (loss.dataSync() as Float32Array)[0] as number;
    const elapsed = performance.now() - start;
    loss.dispose();
    tf.dispose([t.ids, t.positions, t.labelIdx]);
    if (i >= warmup) {
      result.ms.push(elapsed);
      result.losses.push(value);
      result.numTensors.push(tf.memory().numTensors);
    }
  }
  optimizer.dispose();
  tf.dispose(Object.values(model).filter((v): v is tf.Variable => v instanceof tf.Variable));
  for (const l of model.layers) tf.dispose(Object.values(l));
  return result;
}

export interface KernelProfile {
  name: string;
  calls: number;
  ms: number;
}

/** Per-kernel time of one step (tf.profile), sorted by total time. */
export async function profileStep(
  c: BenchConfig,
  backend: string,
  batch: MlmBatch,
  seed: number,
): Promise<KernelProfile[]> {
  await tf.setBackend(backend);
  const model = createModel(c, seed);
  const optimizer = tf.train.adam(1e-3);
  const t = batchTensors(c, batch);
  const step = () => {
    const loss = optimizer.minimize(() => mlmLoss(model, t.ids, t.positions, t.labelIdx), true) as tf.Scalar;
    loss.dataSync();
    loss.dispose();
  };
  step();
  const info = await tf.profile(step);
  const byName = new Map<string, KernelProfile>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}
