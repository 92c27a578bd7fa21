// Times @headstart/pretrain's own training loop (`train`), not one step on a fixed batch: windows cut
// from a token stream and masked anew every step (so the number of masked rows, and with it the
// shapes of the vocabulary projection, changes every step, as in a real run), evaluations and
// checkpoints packed at a fixed cadence. The time of a step is its share of the loop's wall time, so
// evaluation and checkpoint time is spread over the steps, as a run's tokens/s counts it. Issue 16
// asks for this path: the main job's loop once ran at half the isolated step's speed, from buffer
// churn the fixed-shape step never showed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '@headstart/compute';
import type { TrainingConfig, TrainingData } from '@headstart/pretrain/internal';
import {
  DEFAULT_TRAINING,
  createMaskingPolicy,
  createSession,
  disposeSession,
  makeEvalBatches,
  packSessionCheckpoint,
  train,
} from '@headstart/pretrain/internal';
import type { BenchConfig } from './config';
import { createRng } from './data';
import { productConfig } from './product_step';
import type { StepTimings } from './tfjs_step';

export interface LoopCadence {
  /** Evaluate every this many steps (the main job: about 10 evaluations a run). */
  evalEvery: number;
  evalBatches: number;
  /** Pack and write a checkpoint every this many steps (the main job: 4 a run). */
  checkpointEvery: number;
}

/** Special ids of the synthetic vocabulary: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4. */
const SPECIALS = { pad: 0, cls: 2, sep: 3, mask: 4, all: [0, 1, 2, 3, 4] };

/** A packed stream of Zipf-like ids with a [SEP] every ~60 tokens (documents of sentence length). */
function syntheticStream(c: BenchConfig, tokens: number, seed: number): Uint16Array {
  const rng = createRng(seed);
  const span = c.vocab - 5;
  return Uint16Array.from({ length: tokens }, () =>
    rng() < 1 / 60 ? SPECIALS.sep : 5 + Math.floor(span * rng() ** 3),
  );
}

function loopConfig(c: BenchConfig, totalSteps: number, cadence: LoopCadence): TrainingConfig {
  return {
    ...DEFAULT_TRAINING,
    minLearningRate: DEFAULT_TRAINING.learningRate / 10,
    warmupSteps: Math.min(DEFAULT_TRAINING.warmupSteps, totalSteps - 1),
    batchSize: c.batch,
    seqLen: c.seq,
    totalSteps,
    tokenBudget: 0,
    evalEvery: cadence.evalEvery,
    evalBatches: cadence.evalBatches,
    checkpointEvery: cadence.checkpointEvery,
    seed: 1,
    backend: undefined,
  };
}

export async function timeLoopSteps(
  c: BenchConfig,
  backend: string,
  warmup: number,
  steps: number,
  cadence: LoopCadence,
): Promise<StepTimings & { peakRssMb: number }> {
  await tf.setBackend(backend);
  const config = loopConfig(c, warmup + steps, cadence);
  const stream = { tokens: syntheticStream(c, 2_000_000, 7), documents: 1 };
  const policy = createMaskingPolicy(c.vocab, SPECIALS, config.maskProb);
  const validation = { tokens: syntheticStream(c, 200_000, 8), documents: 1 };
  const data: TrainingData = {
    train: stream,
    evalBatches: makeEvalBatches(validation, policy, {
      batches: cadence.evalBatches,
      batchSize: c.batch,
      seqLen: c.seq,
      cls: SPECIALS.cls,
      pad: SPECIALS.pad,
      seed: 1,
    }),
    policy,
    specials: SPECIALS,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-loop-'));
  const session = createSession(productConfig(c), config);
  const result: StepTimings & { peakRssMb: number } = {
    backend,
    ms: [],
    losses: [],
    numTensors: [],
    cpuMs: [],
    peakRssMb: 0,
  };
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  try {
    await train(session, data, {
      onStep: (report) => {
        const now = performance.now();
        const cpu = process.cpuUsage(lastCpu);
        if (report.step > warmup) {
          result.ms.push(now - last);
          result.cpuMs.push((cpu.user + cpu.system) / 1000);
          result.losses.push(report.loss);
          result.numTensors.push(tf.memory().numTensors);
        }
        result.peakRssMb = Math.max(result.peakRssMb, Math.round(process.memoryUsage().rss / 2 ** 20));
        last = now;
        lastCpu = process.cpuUsage();
      },
      // As the worker does: pack the whole state and write it to disk before the next step.
      onCheckpoint: async (report, s) => {
        const bytes = await packSessionCheckpoint(s, {
          runId: 'bench',
          spec: {},
          final: report.final,
          backend,
        });
        fs.writeFileSync(path.join(dir, `step-${report.step}.tar`), bytes);
      },
    });
  } finally {
    disposeSession(session);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
