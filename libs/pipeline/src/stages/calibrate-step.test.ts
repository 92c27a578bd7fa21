import { selectBackend } from '@headstart/compute';

import { stepsForMinutes, timeTrainingStep } from './calibrate-step';

describe('stepsForMinutes', () => {
  it('fits the steps, the evaluations and the checkpoint uploads in the budget', () => {
    // 10 min = 600 s; 4 checkpoints × 2 s leave 592 s = 592 steps of 1 s, minus 10 × 9 / 3 = 30 eval steps.
    expect(stepsForMinutes(10, 1_000, { evaluations: 10, evalBatches: 9, checkpoints: 4 })).toBe(562);
  });

  it('never plans fewer than one step', () => {
    expect(stepsForMinutes(0.01, 60_000, { evaluations: 10, evalBatches: 20, checkpoints: 4 })).toBe(1);
  });
});

describe('timeTrainingStep', () => {
  it('times real optimizer steps of the given shape', async () => {
    await selectBackend({ backend: 'cpu', logger: { info: () => undefined, warn: () => undefined } });
    const timing = await timeTrainingStep(
      { vocabSize: 60, dModel: 16, heads: 2, layers: 1, ff: 32, dropout: 0.1, batchSize: 4, seqLen: 8 },
      1,
      3,
    );
    expect(timing.samplesMs).toHaveLength(3);
    expect(timing.medianMs).toBeGreaterThan(0);
    expect([...timing.samplesMs].sort((a, b) => a - b)[1]).toBe(timing.medianMs);
  });
});
