// The training loop, in one screen: sample, mask, step, evaluate, checkpoint — until the last step, the
// end of the time budget, or until the caller asks to stop at a step boundary (shutdown, cancellation).
// Wall time is counted around everything the loop waits for (steps, evaluations, hooks), since that is
// what a time budget buys.
import type { MlmBatch } from '@headstart/model';
import { mlmTrainStep } from '@headstart/model';
import type { Evaluation } from './estimate-loss';
import { estimateLoss } from './estimate-loss';
import { getBatch } from './get-batch';
import { lrAt } from './lr';
import type { MaskingPolicy } from './mask-tokens';
import { maskTokens } from './mask-tokens';
import type { MixedStreams } from './mixture';
import { getMixedBatch } from './mixture';
import type { TokenStream } from './pack-documents';
import type { TrainingSession } from './session';
import type { SpecialTokenIds } from './special-tokens';
import { fractionDone, tokensPerStep } from './training-config';

export interface TrainingData {
  /** The training stream (a mixed run's first source). */
  train: TokenStream;
  /** A mixed run's sources; its windows are drawn from these instead of `train`. */
  mixture?: MixedStreams;
  evalBatches: readonly MlmBatch[];
  policy: MaskingPolicy;
  specials: SpecialTokenIds;
}

export interface StepReport {
  /** Steps done, this one included. */
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensSeen: number;
  /** A mixed run's tokens per source (in the order of its mixture). */
  sourceTokens?: number[];
  /** Wall-clock milliseconds trained so far, over all attempts (see RunCounters.trainingMs). */
  trainingMs: number;
  /** Share of the run done, 0..1 (steps, or the time budget when nearer its end). */
  fractionDone: number;
  /** Present on steps that evaluated (every evalEvery, every checkpoint, the last). */
  evaluation?: Evaluation;
  /** A checkpoint is due after this step. */
  checkpoint: boolean;
  /** The run's last step: its step count or its time budget is reached. */
  final: boolean;
}

export interface TrainHooks {
  /** After every step (progress, heartbeats). */
  onStep?(report: StepReport, session: TrainingSession): void | Promise<void>;
  /** When `report.checkpoint`: write (and register) the session's state. */
  onCheckpoint?(report: StepReport, session: TrainingSession): Promise<void>;
  /** Asked before every step; a reason stops the loop there (the state is then that of a boundary). */
  shouldStop?(): string | undefined;
}

export type TrainOutcome = { kind: 'completed' } | { kind: 'stopped'; reason: string };

/** The loss stopped being a number; continuing would only write garbage checkpoints. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`training diverged: the loss of step ${step} is ${loss} (try a lower learning rate or clip_norm)`);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One optimizer step's micro-batches: fresh windows (counted per source in a mixture), fresh masks. */
function sampleStep(session: TrainingSession, data: TrainingData): MlmBatch[] {
  const { batchSize, seqLen, gradAccumulation } = session.config;
  const { rngs, counters } = session;
  const options = { batchSize, seqLen, cls: data.specials.cls, pad: data.specials.pad };
  const { mixture } = data;
  if (mixture && !counters.sourceTokens) throw new Error('a mixed run needs counters.sourceTokens');
  return Array.from({ length: gradAccumulation }, () =>
    maskTokens(
      mixture
        ? getMixedBatch(mixture, rngs.data, rngs.sources, counters.sourceTokens as number[], options)
        : getBatch(data.train, rngs.data, options),
      data.policy,
      rngs.mask,
    ),
  );
}

export async function train(
  session: TrainingSession,
  data: TrainingData,
  hooks: TrainHooks = {},
): Promise<TrainOutcome> {
  const { config, model, optimizer, counters } = session;
  let mark = performance.now();
  const clock = (): void => {
    const now = performance.now();
    counters.trainingMs += now - mark;
    mark = now;
  };
  const timeIsUp = () => config.timeBudgetMs > 0 && counters.trainingMs >= config.timeBudgetMs;
  // The time budget is checked only after a step, so the run always ends on a step marked final (and
  // checkpointed as such), even when it resumes from a checkpoint written after the time was up.
  while (counters.step < config.totalSteps) {
    // A step's awaits settle as microtasks: without a turn of the event loop here, signals, heartbeats
    // and gRPC calls of the same process waited for the next I/O (a Ctrl-C took 10 s to be seen).
    await yieldToEventLoop();
    const reason = hooks.shouldStop?.();
    if (reason !== undefined) return { kind: 'stopped', reason };

    const lr = lrAt(counters.step, config, counters.trainingMs);
    const microBatches = sampleStep(session, data);
    const { loss, gradNorm } = await mlmTrainStep(model, optimizer, microBatches, {
      lr,
      maxGradNorm: config.clipNorm,
      rng: session.rngs.dropout,
    });
    if (!Number.isFinite(loss)) throw new TrainingDivergedError(counters.step + 1, loss);
    counters.step += 1;
    counters.tokensSeen += tokensPerStep(config);
    counters.loss = loss;
    clock();

    const final = counters.step === config.totalSteps || timeIsUp();
    const checkpoint = final || counters.step % config.checkpointEvery === 0;
    let evaluation: Evaluation | undefined;
    if (checkpoint || counters.step % config.evalEvery === 0) {
      evaluation = await estimateLoss(model, data.evalBatches);
      const record = { step: counters.step, loss: evaluation.loss, perplexity: evaluation.perplexity };
      counters.lastEval = record;
      if (!counters.bestEval || evaluation.loss < counters.bestEval.loss) counters.bestEval = record;
      const best = counters.bestCheckpoint;
      if (checkpoint && (!best || evaluation.loss < best.loss)) counters.bestCheckpoint = record;
    }
    const report: StepReport = {
      step: counters.step,
      loss,
      lr,
      gradNorm,
      tokensSeen: counters.tokensSeen,
      ...(counters.sourceTokens ? { sourceTokens: [...counters.sourceTokens] } : {}),
      trainingMs: counters.trainingMs,
      fractionDone: final ? 1 : fractionDone(counters, config),
      ...(evaluation ? { evaluation } : {}),
      checkpoint,
      final,
    };
    await hooks.onStep?.(report, session);
    // The final checkpoint carries the time of its own evaluation (it is written after this).
    clock();
    if (checkpoint) await hooks.onCheckpoint?.(report, session);
    clock();
    if (final) break;
  }
  return { kind: 'completed' };
}
