import { tf } from '@headstart/compute';
import { createAdamW, createBertModel, disposeModel, type BertModel } from '@headstart/model';
import { makeTempDir } from '@headstart/testing';
import { Tokenizer } from '@headstart/tokenizer';
import { trainingSettings, type TrainingSettings } from '../spec/resolve-spec';
import { finetune } from '@headstart/proto';
import { tinyModelConfig, tinyTaskRows, trainTinyTokenizer, useTestBackend } from '../test-support/tiny-task';
import { encodeExamples, padIdOf, type EncodedExamples } from './encode';
import { loadJobCheckpoint, saveJobCheckpoint } from './job-checkpoint';
import { restoreParams, snapshotParams } from './param-snapshot';
import { scheduleFor, trainClassifier, type LoopState } from './train-classifier';

jest.setTimeout(120_000);

describe('trainClassifier', () => {
  let tokenizer: Tokenizer;
  let train: EncodedExamples;
  let dev: EncodedExamples;
  const labels = ['ham', 'spam'];

  beforeAll(async () => {
    await useTestBackend();
    tokenizer = Tokenizer.fromJSON(await trainTinyTokenizer());
    const rows = tinyTaskRows({ train: 10, dev: 5, test: 0 }, 3);
    train = encodeExamples(
      tokenizer,
      rows.filter((r) => r.split === 'train'),
      labels,
      24,
    );
    dev = encodeExamples(
      tokenizer,
      rows.filter((r) => r.split === 'dev'),
      labels,
      24,
    );
  });

  const settings = (h: Partial<finetune.FinetuneHyperparameters>): TrainingSettings =>
    trainingSettings(
      finetune.FinetuneSpec.fromPartial({
        hyperparameters: { batchSize: 4, learningRate: 3e-3, seed: 2, ...h },
      }),
    );
  const model = (): BertModel =>
    createBertModel(
      { ...tinyModelConfig(tokenizer.vocabSize), dropout: 0.1 },
      { seed: 4, mlmHead: false, numLabels: 2 },
    );

  it('schedules epochs, max steps and warmup', () => {
    expect(scheduleFor(20, settings({ epochs: 3, minSteps: 0 }))).toEqual({
      stepsPerEpoch: 5,
      totalSteps: 15,
      warmupSteps: 2,
      evalEvery: 5,
    });
    expect(scheduleFor(20, settings({ epochs: 3, maxSteps: 7, warmupSteps: 50, evalEvery: 2 }))).toEqual({
      stepsPerEpoch: 5,
      totalSteps: 7,
      warmupSteps: 6,
      evalEvery: 2,
    });
    // Few examples: minSteps adds passes (never beyond maxSteps); evaluations stay about 20 a run.
    expect(scheduleFor(20, settings({ epochs: 3, minSteps: 200 }))).toEqual({
      stepsPerEpoch: 5,
      totalSteps: 200,
      warmupSteps: 20,
      evalEvery: 10,
    });
    expect(scheduleFor(20, settings({ epochs: 3, minSteps: 200, maxSteps: 40 })).totalSteps).toBe(40);
  });

  it('learns the task, keeps the tensor count flat, and stops early when dev stops improving', async () => {
    const m = model();
    const optimizer = createAdamW(m.params);
    const counts: number[] = [];
    const outcome = await trainClassifier({
      model: m,
      optimizer,
      train,
      dev,
      labels,
      settings: settings({
        epochs: 40,
        earlyStoppingPatience: 2,
        earlyStoppingMetric: finetune.EarlyStoppingMetric.EARLY_STOPPING_METRIC_ACCURACY,
      }),
      padId: padIdOf(tokenizer),
      onStep: () => void counts.push(tf.memory().numTensors),
    });
    expect(outcome.bestDev?.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(outcome.state.stoppedEarly).toBe(true);
    expect(outcome.state.step).toBeLessThan(outcome.schedule.totalSteps);
    expect(new Set(counts.slice(1)).size).toBe(1);
    optimizer.dispose();
    disposeModel(m);
  });

  it('resumes from a job checkpoint exactly where an uninterrupted run would be', async () => {
    // 20 steps (minSteps 0: the recipe's default of 500 would make each of the three runs 500 steps).
    const s = settings({ epochs: 4, minSteps: 0, evalEvery: 3, earlyStoppingPatience: 0 });
    const padId = padIdOf(tokenizer);
    const run = async (stopAfterSaves: number | undefined, dir: string, resume = false) => {
      const m = model();
      const optimizer = createAdamW(m.params);
      let saves = 0;
      const checkpoint = resume ? await loadJobCheckpoint(dir, 'ft_x', 'fp') : undefined;
      if (checkpoint) {
        restoreParams(m.params, checkpoint.weights);
        optimizer.importState(checkpoint.optimizer);
      }
      const losses: number[] = [];
      try {
        const outcome = await trainClassifier({
          model: m,
          optimizer,
          train,
          dev,
          labels,
          settings: s,
          padId,
          ...(checkpoint ? { resume: { state: checkpoint.state, bestWeights: checkpoint.bestWeights } } : {}),
          onStep: (r) => void losses.push(r.loss),
          saveCheckpoint: async (state: LoopState, best) => {
            await saveJobCheckpoint(dir, 'ft_x', 'fp', {
              state,
              weights: await snapshotParams(m.params),
              bestWeights: best,
              optimizer: await optimizer.exportState(),
            });
            if (++saves === stopAfterSaves) throw new Error('worker killed');
          },
        });
        return { losses, outcome, weights: await snapshotParams(m.params) };
      } catch (err) {
        if ((err as Error).message !== 'worker killed') throw err;
        return { losses, outcome: undefined, weights: undefined };
      } finally {
        optimizer.dispose();
        disposeModel(m);
      }
    };
    await using a = await makeTempDir('ft-resume-a');
    await using b = await makeTempDir('ft-resume-b');
    const full = await run(undefined, a.path);
    const first = await run(2, b.path);
    expect(first.losses).toHaveLength(6);
    expect(await loadJobCheckpoint(b.path, 'ft_x', 'other-inputs')).toBeUndefined();
    const rest = await run(undefined, b.path, true);
    expect([...first.losses, ...rest.losses]).toEqual(full.losses);
    expect(rest.outcome?.bestDev).toEqual(full.outcome?.bestDev);
    expect(rest.weights).toEqual(full.weights);
  });
});
