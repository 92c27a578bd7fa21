// The fine-tuning loop: seeded epoch shuffles (batches of similar length, batch-order.ts), AdamW with linear warmup then linear decay, evaluation on
// the dev split every `evalEvery` steps (and at the end), early stopping on the chosen dev metric, and the
// best evaluation's weights restored at the end. Its whole state (step, epoch position, dropout RNG, the
// early-stopping record and the best weights) is handed to `saveCheckpoint` after each evaluation, and a
// run started from that state continues exactly where it stopped.
import type { AdamW, BertModel, RngState, TensorRecords } from '@headstart/model';
import { classificationTrainStep, createRng, getLr } from '@headstart/model';
import type { finetune } from '@headstart/proto';
import type { EarlyStoppingMetricName, TrainingSettings } from '../spec/resolve-spec';
import type { EncodedExamples } from './encode';
import { makeBatch } from './encode';
import { evaluate } from './evaluate';
import { restoreParams, snapshotParams } from './param-snapshot';
import { epochOrder } from './batch-order';
import { deriveSeed } from './seeds';

export interface LoopState {
  /** Optimizer steps done. */
  step: number;
  /** Current epoch (0-based) and examples of it already used. */
  epoch: number;
  position: number;
  dropoutRng: RngState;
  /** Mean training loss of the last step (NaN before the first). */
  loss: number;
  bestDev: finetune.Evaluation | undefined;
  /** Evaluations in a row that did not beat the best. */
  evalsWithoutImprovement: number;
  stoppedEarly: boolean;
}

export interface Schedule {
  stepsPerEpoch: number;
  totalSteps: number;
  warmupSteps: number;
  evalEvery: number;
}

export interface StepReport {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  learningRate: number;
  examplesPerSecond: number;
}

export interface TrainClassifierOptions {
  model: BertModel;
  optimizer: AdamW;
  train: EncodedExamples;
  dev: EncodedExamples;
  labels: readonly string[];
  settings: TrainingSettings;
  padId: number;
  /** State to continue from (a job checkpoint), with the best weights it recorded. */
  resume?: { state: LoopState; bestWeights: TensorRecords | undefined };
  signal?: AbortSignal;
  onStep?(report: StepReport): void | Promise<void>;
  onEval?(dev: finetune.Evaluation, state: LoopState): void | Promise<void>;
  /** Called after each evaluation with everything needed to resume. */
  saveCheckpoint?(state: LoopState, bestWeights: TensorRecords | undefined): Promise<void>;
}

export interface TrainOutcome {
  state: LoopState;
  schedule: Schedule;
  /** The dev evaluation whose weights the model now holds (undefined without a dev split). */
  bestDev: finetune.Evaluation | undefined;
}

const MAX_DEFAULT_EVALS = 20;

export function scheduleFor(trainExamples: number, settings: TrainingSettings): Schedule {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainExamples / settings.batchSize));
  // With few labels the epochs give too few steps to move the model; minSteps adds passes.
  const wanted = Math.max(stepsPerEpoch * settings.epochs, settings.minSteps);
  const totalSteps = settings.maxSteps > 0 ? Math.min(settings.maxSteps, wanted) : wanted;
  const warmup = settings.warmupSteps ?? Math.round(settings.warmupRatio * totalSteps);
  return {
    stepsPerEpoch,
    totalSteps,
    // The schedule needs at least one step after warmup.
    warmupSteps: Math.min(warmup, totalSteps - 1),
    // Once an epoch, but no more than about 20 evaluations a run (minSteps can make epochs tiny).
    evalEvery: settings.evalEvery ?? Math.max(stepsPerEpoch, Math.ceil(totalSteps / MAX_DEFAULT_EVALS)),
  };
}

/** True when `candidate` beats `best` on the metric (strictly). */
export function improves(
  metric: EarlyStoppingMetricName,
  candidate: finetune.Evaluation,
  best?: finetune.Evaluation,
): boolean {
  if (!best) return true;
  switch (metric) {
    case 'accuracy':
      return candidate.accuracy > best.accuracy;
    case 'macro_f1':
      return candidate.macroF1 > best.macroF1;
    default:
      return candidate.loss < best.loss;
  }
}

export function initialLoopState(seed: number): LoopState {
  return {
    step: 0,
    epoch: 0,
    position: 0,
    dropoutRng: createRng(deriveSeed(seed, 'dropout')).getState(),
    loss: Number.NaN,
    bestDev: undefined,
    evalsWithoutImprovement: 0,
    stoppedEarly: false,
  };
}

export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainOutcome> {
  const { model, optimizer, train, dev, settings, padId, signal } = options;
  const n = train.ids.length;
  const schedule = scheduleFor(n, settings);
  const state: LoopState = options.resume ? { ...options.resume.state } : initialLoopState(settings.seed);
  let bestWeights = options.resume?.bestWeights;
  const dropoutRng = createRng(0);
  dropoutRng.setState(state.dropoutRng);
  const lengths = train.ids.map((row) => row.length);
  let order = epochOrder(lengths, settings.batchSize, settings.seed, state.epoch);
  const hasDev = dev.ids.length > 0;
  let windowStart = performance.now();
  let windowExamples = 0;

  const evaluateAndMaybeStop = async (): Promise<void> => {
    if (!hasDev) return;
    const result = await evaluate(model, dev, options.labels, {
      padId,
      split: 'dev',
      step: state.step,
      signal,
    });
    if (improves(settings.metric, result, state.bestDev)) {
      state.bestDev = result;
      state.evalsWithoutImprovement = 0;
      bestWeights = await snapshotParams(model.params);
    } else {
      state.evalsWithoutImprovement++;
      if (settings.patience > 0 && state.evalsWithoutImprovement >= settings.patience)
        state.stoppedEarly = true;
    }
    await options.onEval?.(result, state);
  };

  while (state.step < schedule.totalSteps && !state.stoppedEarly) {
    signal?.throwIfAborted();
    if (state.position >= n) {
      state.epoch++;
      state.position = 0;
      order = epochOrder(lengths, settings.batchSize, settings.seed, state.epoch);
    }
    const rows = order.slice(state.position, state.position + settings.batchSize);
    const batch = {
      ...makeBatch(train.ids, rows, padId, model.config.maxLen),
      labels: Int32Array.from(rows, (r) => train.labels[r] as number),
    };
    const learningRate = getLr(state.step, {
      peak: settings.learningRate,
      warmupSteps: schedule.warmupSteps,
      totalSteps: schedule.totalSteps,
      decay: 'linear',
      minLr: 0,
    });
    const { loss } = await classificationTrainStep(model, optimizer, [batch], {
      lr: learningRate,
      maxGradNorm: settings.clipNorm,
      rng: dropoutRng,
    });
    if (!Number.isFinite(loss))
      throw new Error(`training diverged: loss is ${loss} at step ${state.step + 1}`);
    state.step++;
    state.position += rows.length;
    state.loss = loss;
    state.dropoutRng = dropoutRng.getState();
    windowExamples += rows.length;
    const seconds = (performance.now() - windowStart) / 1000;
    await options.onStep?.({
      step: state.step,
      totalSteps: schedule.totalSteps,
      epoch: state.epoch,
      loss,
      learningRate,
      examplesPerSecond: seconds > 0 ? windowExamples / seconds : 0,
    });
    if (seconds > 5) {
      windowStart = performance.now();
      windowExamples = 0;
    }
    if (state.step % schedule.evalEvery === 0 || state.step === schedule.totalSteps) {
      await evaluateAndMaybeStop();
      await options.saveCheckpoint?.(state, bestWeights);
    }
  }
  // A resumed run that had already finished training still restores its best weights.
  if (bestWeights && state.bestDev && state.bestDev.step !== state.step)
    restoreParams(model.params, bestWeights);
  return { state, schedule, bestDev: state.bestDev };
}
