import * as path from 'node:path';
import { tf } from '@headstart/compute';
import type { Shards } from '@headstart/shards';
import { openShards } from '@headstart/shards';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';
import { readCheckpoint } from '@headstart/checkpoint';
import { packSessionCheckpoint } from '../checkpoint/pack-session';
import { restoreSession } from '../checkpoint/restore-session';
import { TINY_MODEL, tinyTraining, useTestBackend, writeTinyShards } from '../test-support/tiny-data';
import { lrAt } from './lr';
import { createSession, disposeSession } from './session';
import type { StepReport, TrainingData } from './train-loop';
import { train } from './train-loop';
import type { TrainingConfig } from './training-config';
import { prepareTrainingData } from './training-data';

let dir: TempDir;
let shards: Shards;

beforeAll(async () => {
  await useTestBackend();
  dir = await makeTempDir('pretrain-loop');
  const file = path.join(dir.path, 'tiny.shards');
  await writeTinyShards(file);
  shards = await openShards(file);
});
afterAll(() => dir.remove());

function dataFor(config: TrainingConfig): TrainingData {
  return prepareTrainingData(shards, config, TINY_MODEL.vocabSize);
}

async function run(config: TrainingConfig): Promise<StepReport[]> {
  const session = createSession(TINY_MODEL, config);
  const reports: StepReport[] = [];
  try {
    await train(session, dataFor(config), { onStep: (r) => void reports.push(r) });
  } finally {
    disposeSession(session);
  }
  return reports;
}

describe('train', () => {
  it('feeds every update the scheduled learning rate: warmup, then cosine down to the floor', async () => {
    const config = tinyTraining({
      totalSteps: 20,
      warmupSteps: 4,
      learningRate: 1e-2,
      minLearningRate: 1e-3,
    });
    const reports = await run(config);
    expect(reports.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    reports.forEach((r) => expect(r.lr).toBe(lrAt(r.step - 1, config)));
    expect(reports[0]?.lr).toBeCloseTo(1e-2 / 5, 12);
    expect(reports[3]?.lr).toBeCloseTo(1e-2 * (4 / 5), 12);
    expect(reports[4]?.lr).toBeCloseTo(1e-2, 12);
    expect(reports[19]?.lr).toBeGreaterThan(1e-3);
    expect(lrAt(20, config)).toBe(1e-3);
    const decaying = reports.slice(4).map((r) => r.lr);
    expect([...decaying].sort((a, b) => b - a)).toEqual(decaying);
  });

  it('evaluates every evalEvery and at checkpoints, and the model learns', async () => {
    const reports = await run(tinyTraining({ totalSteps: 60, evalEvery: 20, checkpointEvery: 30 }));
    const evaluated = reports.filter((r) => r.evaluation).map((r) => r.step);
    expect(evaluated).toEqual([20, 30, 40, 60]);
    expect(reports.filter((r) => r.checkpoint).map((r) => r.step)).toEqual([30, 60]);
    expect(reports.at(-1)?.final).toBe(true);
    const first = reports.find((r) => r.step === 20)?.evaluation?.loss as number;
    const last = reports.at(-1)?.evaluation?.loss as number;
    expect(last).toBeLessThan(first);
    expect(reports.at(-1)?.evaluation?.perplexity).toBeCloseTo(Math.exp(last), 6);
  });

  it('keeps tf.memory().numTensors constant across steps, evaluations included', async () => {
    const config = tinyTraining({ totalSteps: 12, evalEvery: 3, checkpointEvery: 6 });
    const session = createSession(TINY_MODEL, config);
    const counts: number[] = [];
    try {
      await train(session, dataFor(config), {
        onStep: () => void counts.push(tf.memory().numTensors),
        onCheckpoint: async (_r, s) =>
          void (await packSessionCheckpoint(s, { runId: 'r', spec: {}, final: false, backend: 'x' })),
      });
    } finally {
      disposeSession(session);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('stops at a step boundary when asked', async () => {
    const config = tinyTraining({ totalSteps: 30 });
    const session = createSession(TINY_MODEL, config);
    try {
      const outcome = await train(session, dataFor(config), {
        shouldStop: () => (session.counters.step >= 7 ? 'shutdown' : undefined),
      });
      expect(outcome).toEqual({ kind: 'stopped', reason: 'shutdown' });
      expect(session.counters.step).toBe(7);
      expect(session.optimizer.step).toBe(7);
    } finally {
      disposeSession(session);
    }
  });
});

describe('exact resume through a checkpoint bundle', () => {
  it('continues with the very losses of an uninterrupted run (dropout, accumulation and clipping on)', async () => {
    const config = tinyTraining({ totalSteps: 24, checkpointEvery: 9, evalEvery: 6 });
    const uninterrupted = await run(config);

    const first = createSession(TINY_MODEL, config);
    let bundle: Buffer | undefined;
    try {
      await train(first, dataFor(config), {
        onCheckpoint: async (r, s) => {
          if (r.step === 9)
            bundle = await packSessionCheckpoint(s, { runId: 'r1', spec: {}, final: false, backend: 'x' });
        },
        shouldStop: () => (first.counters.step === 13 ? 'killed' : undefined),
      });
    } finally {
      disposeSession(first);
    }
    const checkpoint = await readCheckpoint(bundle as Buffer);
    expect(checkpoint.state.step).toBe(9);
    const resumed = restoreSession(checkpoint, config);
    const after: StepReport[] = [];
    try {
      await train(resumed, dataFor(config), { onStep: (r) => void after.push(r) });
    } finally {
      disposeSession(resumed);
    }
    expect(after.map((r) => r.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 10));
    for (const r of after) {
      const reference = uninterrupted[r.step - 1] as StepReport;
      expect(Math.abs(r.loss - reference.loss)).toBeLessThanOrEqual(1e-5);
      expect(r.lr).toBe(reference.lr);
      if (reference.evaluation) expect(r.evaluation?.loss).toBeCloseTo(reference.evaluation.loss, 5);
    }
  });
});
