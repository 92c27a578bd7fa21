// Mixed corpora in the trainer (issue 10): the source picker keeps every source at its weight's share,
// each source's windows come from its own stream, and a mixed run resumes exactly through a checkpoint.
import * as path from 'node:path';
import { createRng } from '@headstart/model';
import type { Shards } from '@headstart/shards';
import { openShards } from '@headstart/shards';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';
import { readCheckpoint } from '@headstart/checkpoint';
import { packSessionCheckpoint } from '../checkpoint/pack-session';
import { restoreSession } from '../checkpoint/restore-session';
import { TINY_MODEL, tinyTraining, useTestBackend, writeTinyShards } from '../test-support/tiny-data';
import type { TokenStream } from './pack-documents';
import { getMixedBatch, normaliseWeights, pickSource } from './mixture';
import { createSession, disposeSession } from './session';
import type { StepReport } from './train-loop';
import { train } from './train-loop';
import type { TrainingConfig } from './training-config';
import { prepareTrainingData } from './training-data';

let dir: TempDir;
let general: Shards;
let domain: Shards;

beforeAll(async () => {
  await useTestBackend();
  dir = await makeTempDir('pretrain-mixture');
  await writeTinyShards(path.join(dir.path, 'general.shards'), { seed: 1 });
  await writeTinyShards(path.join(dir.path, 'domain.shards'), { seed: 2, trainDocuments: 40 });
  general = await openShards(path.join(dir.path, 'general.shards'));
  domain = await openShards(path.join(dir.path, 'domain.shards'));
});
afterAll(() => dir.remove());

describe('pickSource', () => {
  it.each([
    [[0.5, 0.5]],
    [[0.7, 0.2, 0.1]],
    [[0.9, 0.1]],
    [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
  ])('keeps every source within a window or two of its share, at every point of a run (%j)', (raw) => {
    const weights = normaliseWeights(raw);
    const rng = createRng(9);
    const drawn = weights.map(() => 0);
    let worst = 0;
    for (let n = 1; n <= 20_000; n++) {
      const i = pickSource(weights, drawn, rng);
      drawn[i] = (drawn[i] as number) + 1;
      weights.forEach((w, j) => (worst = Math.max(worst, Math.abs((drawn[j] as number) - w * n))));
    }
    expect(worst).toBeLessThan(2);
  });

  it('is random in its order (seeded), not a fixed pattern', () => {
    const sequence = (seed: number) => {
      const rng = createRng(seed);
      const drawn = [0, 0];
      return Array.from({ length: 64 }, () => {
        const i = pickSource([0.5, 0.5], drawn, rng);
        drawn[i] = (drawn[i] as number) + 1;
        return i;
      }).join('');
    };
    expect(sequence(1)).toBe(sequence(1));
    expect(sequence(1)).not.toBe(sequence(2));
    // Not simply alternating.
    expect(sequence(1)).not.toBe('01'.repeat(32));
    expect(sequence(1)).not.toBe('10'.repeat(32));
  });
});

describe('getMixedBatch', () => {
  it("cuts each row from the picked source's stream with that source's cursor, and counts its tokens", () => {
    const a: TokenStream = {
      tokens: Uint16Array.from({ length: 300 }, (_, i) => 10 + (i % 40)),
      documents: 1,
    };
    const b: TokenStream = {
      tokens: Uint16Array.from({ length: 300 }, (_, i) => 60 + (i % 30)),
      documents: 1,
    };
    const tokens = [0, 0];
    const batch = getMixedBatch(
      { streams: [a, b], weights: [0.25, 0.75] },
      createRng(1),
      [createRng(2), createRng(3)],
      tokens,
      { batchSize: 16, seqLen: 8, cls: 2 },
    );
    let fromB = 0;
    for (let r = 0; r < 16; r++) {
      const row = Array.from(batch.inputIds.subarray(r * 8 + 1, (r + 1) * 8));
      const inB = row.every((t) => t >= 60);
      expect(inB || row.every((t) => t < 50)).toBe(true);
      if (inB) fromB++;
    }
    expect(tokens).toEqual([(16 - fromB) * 8, fromB * 8]);
    expect(fromB).toBe(12);
  });
});

function mixedConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return tinyTraining({ mixture: normaliseWeights([3, 1]), ...overrides });
}

const dataFor = (config: TrainingConfig) =>
  prepareTrainingData([general, domain], config, TINY_MODEL.vocabSize);

async function run(config: TrainingConfig): Promise<{ reports: StepReport[]; sourceTokens: number[] }> {
  const session = createSession(TINY_MODEL, config);
  const reports: StepReport[] = [];
  try {
    await train(session, dataFor(config), { onStep: (r) => void reports.push(r) });
    return { reports, sourceTokens: session.counters.sourceTokens as number[] };
  } finally {
    disposeSession(session);
  }
}

describe('a mixed run', () => {
  it('trains on each source by its weight (token counts within 1%), counted in every report', async () => {
    const config = mixedConfig({ totalSteps: 30 });
    const { reports, sourceTokens } = await run(config);
    const last = reports.at(-1) as StepReport;
    expect(last.sourceTokens).toEqual(sourceTokens);
    expect((sourceTokens[0] as number) + (sourceTokens[1] as number)).toBe(last.tokensSeen);
    expect(Math.abs((sourceTokens[0] as number) / last.tokensSeen - 0.75)).toBeLessThanOrEqual(0.01);
    expect(Math.abs((sourceTokens[1] as number) / last.tokensSeen - 0.25)).toBeLessThanOrEqual(0.01);
    for (const r of reports) {
      const share = (r.sourceTokens?.[0] as number) / r.tokensSeen;
      // From the first step on (8 windows a step): within one window of the share.
      expect(Math.abs(share - 0.75)).toBeLessThanOrEqual(config.seqLen / r.tokensSeen + 1e-12);
    }
  });

  it('differs from the run of its first source alone, which counts no sources', async () => {
    const mixed = await run(mixedConfig({ totalSteps: 3 }));
    const single = createSession(TINY_MODEL, tinyTraining({ totalSteps: 3 }));
    const alone: StepReport[] = [];
    try {
      await train(single, prepareTrainingData(general, single.config, TINY_MODEL.vocabSize), {
        onStep: (r) => void alone.push(r),
      });
    } finally {
      disposeSession(single);
    }
    expect(alone[0]?.sourceTokens).toBeUndefined();
    expect(mixed.reports.map((r) => r.loss)).not.toEqual(alone.map((r) => r.loss));
  });

  it('resumes through a checkpoint bundle with the losses and token counts of an uninterrupted run', async () => {
    const config = mixedConfig({ totalSteps: 24, checkpointEvery: 9, evalEvery: 6 });
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
    expect(checkpoint.state.rng.sources).toHaveLength(2);
    expect(checkpoint.state.sourceTokens).toEqual(uninterrupted.reports[8]?.sourceTokens);
    // A run that does not mix the same number of sources cannot take this checkpoint.
    const single = tinyTraining({ totalSteps: 24, checkpointEvery: 9, evalEvery: 6 });
    expect(() => restoreSession(checkpoint, single)).toThrow(/2 source/);
    expect(() => restoreSession(checkpoint, { ...config, mixture: [0.5, 0.25, 0.25] })).toThrow(/source/);

    const resumed = restoreSession(checkpoint, config);
    const after: StepReport[] = [];
    try {
      await train(resumed, dataFor(config), { onStep: (r) => void after.push(r) });
    } finally {
      disposeSession(resumed);
    }
    expect(after.map((r) => r.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 10));
    for (const r of after) {
      const reference = uninterrupted.reports[r.step - 1] as StepReport;
      expect(Math.abs(r.loss - reference.loss)).toBeLessThanOrEqual(1e-5);
      expect(r.sourceTokens).toEqual(reference.sourceTokens);
      if (reference.evaluation) expect(r.evaluation?.loss).toBeCloseTo(reference.evaluation.loss, 5);
    }
  });
});
