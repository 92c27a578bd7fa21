// Times the TF.js training step: forward, backward (optimizer.minimize) and an Adam update, the loss read
// back each step (as a trainer must to log it). Batches are made before timing starts.
import { adamwUpdate, tf } from '@headstart/compute';
import type { BenchConfig } from './config';
import type { MlmBatch } from './data';
import { batchTensors, createModel, mlmLoss, modelVariables } from './model';
import type { MlmModel } from './model';

export const ADAMW = { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

/** A training step as a trainer runs it: loss and gradients, AdamW on every parameter, loss read back. */
export function createTrainer(model: MlmModel): (t: ReturnType<typeof batchTensors>) => number {
  const vars = modelVariables(model);
  const moments = vars.map((v) => ({
    m: tf.variable(tf.zerosLike(v), false),
    v: tf.variable(tf.zerosLike(v), false),
  }));
  let step = 0;
  return (t) => {
    step += 1;
    const { value, grads } = tf.variableGrads(() => mlmLoss(model, t.ids, t.positions, t.labels), vars);
    vars.forEach((variable, i) => {
      const slot = moments[i] as { m: tf.Variable; v: tf.Variable };
      // Decoupled decay on matrices only (biases, LayerNorm and position vectors are 1-D).
      const weightDecay = variable.rank > 1 ? ADAMW.weightDecay : 0;
      const next = adamwUpdate(variable, grads[variable.name] as tf.Tensor, slot.m, slot.v, {
        ...ADAMW,
        weightDecay,
        step,
      });
      variable.assign(next.param);
      slot.m.assign(next.m);
      slot.v.assign(next.v);
      tf.dispose([next.param, next.m, next.v]);
    });
    tf.dispose(Object.values(grads));
    const loss = (value.dataSync() as Float32Array)[0] as number;
    value.dispose();
    return loss;
  };
}

export interface StepTimings {
  backend: string;
  /** Wall time of each timed step (warm-up excluded). */
  ms: number[];
  losses: number[];
  /** tf.memory().numTensors after each timed step: constant when nothing leaks. */
  numTensors: number[];
  /** Process CPU time (user + system, all threads) of each timed step. */
  cpuMs: number[];
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
  const train = createTrainer(model);
  const result: StepTimings = { backend, ms: [], losses: [], numTensors: [], cpuMs: [] };
  for (let i = 0; i < warmup + steps; i++) {
    const batch = batches[i % batches.length] as MlmBatch;
    const t = batchTensors(c, batch);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const value = train(t);
    const elapsed = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    tf.dispose([t.ids, t.positions, t.labels]);
    if (i >= warmup) {
      result.ms.push(elapsed);
      result.cpuMs.push((cpu.user + cpu.system) / 1000);
      result.losses.push(value);
      result.numTensors.push(tf.memory().numTensors);
    }
  }
  tf.dispose(modelVariables(model));
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
  const train = createTrainer(model);
  const t = batchTensors(c, batch);
  const step = () => {
    train(t);
  };
  step();
  return kernelTimes(await tf.profile(step));
}

/** tf.profile's kernels summed per kernel name, sorted by total time. */
export function kernelTimes(info: Awaited<ReturnType<typeof tf.profile>>): KernelProfile[] {
  const byName = new Map<string, KernelProfile>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}
