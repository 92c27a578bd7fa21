// Stage 6: one pre-training run of the base model on the shards, with a wall-clock, token or step budget,
// watched to its end. The run is keyed by every input from the shards on (fine-tune settings included:
// the triggers only fire on a new final checkpoint), so a re-run with the same inputs finds the run it
// started before (finished, or still to be resumed by the worker) instead of training again.
import type { PretrainClient } from '@headstart/pretrain-client';
import { common, pretrain, type registry } from '@headstart/proto';
import { Code, HeadstartError } from '@headstart/errors';
import type { Logger } from '@headstart/service-kit';

import type { RegistryClient } from '@headstart/registry-client';

import { silentReporter, type Reporter, type TaskReporter } from '../reporter/reporter';
import { label } from '../reuse';
import { describeBudget, type PipelineScale } from '../scale';
import { stepsForMinutes, timeTrainingStep } from './calibrate-step';

const { JobState } = common;

export interface EvalPoint {
  step: number;
  tokens: number;
  evalLoss: number;
  perplexity: number;
  /** Training loss of the same step. */
  loss: number;
}

export interface PretrainOutcome {
  run: pretrain.Run;
  /** `new`: started now; `earlier`: an earlier pipeline had started it (finished, or resumed now). */
  origin: 'new' | 'earlier';
  /** Steps expected (exact for a steps or token budget), and the step time measured for a minutes budget. */
  plan: { totalSteps: number; budget: string; measuredStepMs?: number | undefined };
  curve: EvalPoint[];
  /** Wall-clock seconds from the run's start to its end (a resumed run: the pause between attempts included). */
  trainingSeconds: number;
}

export interface PretrainInput {
  modelName: string;
  shards: registry.ModelVersion;
  vocabSize: number;
  scale: Pick<PipelineScale, 'model' | 'pretrain'>;
  /** A digest of every input (shards, model, training, triggers): the run's identity. */
  key: string;
  signal?: AbortSignal | undefined;
}

function isUsable(run: pretrain.Run): boolean {
  return run.state !== JobState.JOB_STATE_FAILED && run.state !== JobState.JOB_STATE_CANCELLED;
}

interface RunBudget {
  maxSteps: number;
  tokenBudget: number;
  timeBudgetSeconds: number;
  /** Steps the run is expected to take: sets its evaluation, checkpoint and warmup cadence. */
  expectedSteps: number;
  measuredStepMs?: number;
}

/**
 * The run's budget. Minutes become the run's own time budget (the worker decays the learning rate with
 * the share of it used and stops when it is spent, whatever the load); a step timed here only sizes the
 * cadence of evaluations, checkpoints and warmup, which a wrong guess makes denser or sparser, no worse.
 */
async function planBudget(input: PretrainInput, logger: Logger): Promise<RunBudget> {
  const { model, pretrain: p } = input.scale;
  const budget = p.budget;
  const perStep = p.batchSize * p.seqLen;
  const none = { maxSteps: 0, tokenBudget: 0, timeBudgetSeconds: 0 };
  if (budget.kind === 'steps') return { ...none, maxSteps: budget.steps, expectedSteps: budget.steps };
  if (budget.kind === 'tokens') {
    return { ...none, tokenBudget: budget.tokens, expectedSteps: Math.ceil(budget.tokens / perStep) };
  }
  logger.info({ budget: describeBudget(budget) }, 'pretrain: timing a training step to set the run cadence');
  const timing = await timeTrainingStep({
    ...model,
    vocabSize: input.vocabSize,
    batchSize: p.batchSize,
    seqLen: p.seqLen,
  });
  const expectedSteps = stepsForMinutes(budget.minutes, timing.medianMs, {
    evaluations: p.evaluations,
    evalBatches: p.evalBatches,
    checkpoints: p.checkpoints,
  });
  logger.info(
    { stepMs: Math.round(timing.medianMs), samplesMs: timing.samplesMs.map(Math.round), expectedSteps },
    `pretrain: ${Math.round(timing.medianMs)} ms a step, about ${expectedSteps} steps in ${budget.minutes} min`,
  );
  return {
    ...none,
    timeBudgetSeconds: Math.round(budget.minutes * 60),
    expectedSteps,
    measuredStepMs: timing.medianMs,
  };
}

function runSpec(input: PretrainInput, budget: RunBudget): pretrain.RunSpec {
  const { model, pretrain: p } = input.scale;
  const steps = budget.expectedSteps;
  const every = (n: number) => Math.max(1, Math.ceil(steps / Math.max(1, n)));
  return pretrain.RunSpec.fromPartial({
    modelName: input.modelName,
    shards: { name: input.shards.modelName, selector: { $case: 'version', version: input.shards.version } },
    model: { vocabSize: input.vocabSize, ...model, maxLen: p.seqLen },
    seed: p.seed,
    training: pretrain.TrainingConfig.fromPartial({
      learningRate: p.learningRate,
      warmupSteps: Math.min(p.maxWarmupSteps, Math.ceil(steps * p.warmupFraction)),
      batchSize: p.batchSize,
      seqLen: p.seqLen,
      maxSteps: budget.maxSteps,
      tokenBudget: budget.tokenBudget,
      timeBudgetSeconds: budget.timeBudgetSeconds,
      evalEvery: every(p.evaluations),
      evalBatches: p.evalBatches,
      checkpointEvery: every(p.checkpoints),
    }),
    description: `Headstart main job: ${describeBudget(p.budget)} of pre-training`,
    tags: ['pipeline', input.key],
  });
}

/** "42%": the share of the run's steps or time budget done. */
const donePercent = (update: pretrain.WatchRunResponse) => `${Math.floor(update.fractionDone * 100)}%`;

function watchLogger(
  logger: Logger,
  curve: EvalPoint[],
  task: TaskReporter,
): (update: pretrain.WatchRunResponse) => void {
  let lastState: common.JobState | undefined;
  return (update) => {
    const state = update.run?.state;
    if (state !== undefined && state !== lastState) {
      lastState = state;
      logger.info(
        {
          run: update.run?.id,
          state: common.jobStateToJSON(state),
          step: update.run?.step,
          backend: update.run?.backend || undefined,
        },
        `pretrain: run ${common.jobStateToJSON(state).replace('JOB_STATE_', '').toLowerCase()}`,
      );
    }
    if (update.learningRate <= 0) return; // a state change without a step report
    if (update.evalLoss !== undefined) {
      const point = {
        step: update.step,
        tokens: update.tokensSeen,
        evalLoss: update.evalLoss,
        perplexity: update.perplexity ?? Math.exp(update.evalLoss),
        loss: update.loss,
      };
      if (!curve.some((c) => c.step === point.step)) curve.push(point);
      logger.info(
        {
          step: point.step,
          tokens: point.tokens,
          eval_loss: +point.evalLoss.toFixed(4),
          perplexity: +point.perplexity.toFixed(1),
        },
        `pretrain: eval at step ${point.step} (${donePercent(update)}): loss ${point.evalLoss.toFixed(3)}`,
      );
    }
    task.progress(
      update.fractionDone,
      1,
      {
        step: update.step,
        training_s: Math.round(update.trainingSeconds),
        loss: +update.loss.toFixed(4),
        lr: +update.learningRate.toExponential(2),
        tokens_per_s: Math.round(update.tokensPerSecond),
        tokens: update.tokensSeen,
        eta_s: Math.round(update.etaSeconds),
      },
      `pretrain: step ${update.step} (${donePercent(update)}), loss ${update.loss.toFixed(3)}`,
    );
  };
}

/** Evaluations recorded on the run's registered checkpoints (a run finished earlier streams no history). */
async function checkpointCurve(registryClient: RegistryClient, run: pretrain.Run): Promise<EvalPoint[]> {
  const points: EvalPoint[] = [];
  for await (const v of registryClient.searchVersions({
    modelName: run.spec?.modelName ?? '',
    runId: run.id,
  })) {
    const evalLoss = v.metrics['eval_loss'];
    if (evalLoss === undefined) continue;
    points.push({
      step: v.metrics['step'] ?? Number(v.metadata['step']),
      tokens: v.metrics['tokens'] ?? 0,
      evalLoss,
      perplexity: v.metrics['perplexity'] ?? Math.exp(evalLoss),
      loss: v.metrics['loss'] ?? NaN,
    });
  }
  return points.sort((a, b) => a.step - b.step);
}

export async function runPretraining(
  client: PretrainClient,
  registryClient: RegistryClient,
  input: PretrainInput,
  logger: Logger,
  reporter: Reporter = silentReporter,
): Promise<PretrainOutcome> {
  const callOptions = input.signal ? { signal: input.signal } : {};
  const earlier = (await client.listAllRuns({ modelName: input.modelName }, callOptions)).filter((r) =>
    r.spec?.tags.includes(input.key),
  );
  let run = earlier.find(isUsable);
  let plan: PretrainOutcome['plan'];
  const budget = describeBudget(input.scale.pretrain.budget);
  if (run) {
    logger.info(
      { run: run.id, state: common.jobStateToJSON(run.state), step: `${run.step}/${run.totalSteps}` },
      'pretrain: an earlier pipeline started this run with the same inputs; following it instead of training again',
    );
    plan = { totalSteps: run.totalSteps, budget };
  } else {
    const runBudget = await planBudget(input, logger);
    // One idempotency key per attempt: a failed or cancelled run with these inputs is not replayed.
    run = await client.startRun(runSpec(input, runBudget), {
      ...callOptions,
      idempotencyKey: `${input.key}#${earlier.length + 1}`,
    });
    plan = { totalSteps: runBudget.expectedSteps, budget, measuredStepMs: runBudget.measuredStepMs };
    logger.info(
      { run: run.id, budget, parameters: run.parameters, shards: label(input.shards) },
      `pretrain: run queued (${budget}, ${run.parameters} parameters)`,
    );
  }
  const origin = earlier.includes(run) ? 'earlier' : 'new';
  const curve: EvalPoint[] = [];
  const task = reporter.task('pre-training');
  const done = await client.watchRun(run.id, watchLogger(logger, curve, task), callOptions);
  task.done(`${done.step} steps, ${done.tokensSeen.toLocaleString('en-US')} tokens`);
  if (done.state !== JobState.JOB_STATE_SUCCEEDED || done.finalVersion === 0) {
    throw new HeadstartError(
      Code.ABORTED,
      `pre-training run ${done.id} ended ${common.jobStateToJSON(done.state)}: ${done.error || 'no final checkpoint'}`,
    );
  }
  const trainingSeconds =
    done.startedAt && done.finishedAt ? (done.finishedAt.getTime() - done.startedAt.getTime()) / 1000 : 0;
  // A run finished (or partly trained) by an earlier pipeline streams no history: its checkpoints keep
  // their evaluations.
  for (const point of await checkpointCurve(registryClient, done)) {
    if (!curve.some((c) => c.step === point.step)) curve.push(point);
  }
  curve.sort((a, b) => a.step - b.step);
  return { run: done, origin, plan, curve, trainingSeconds };
}
