// WatchRun: the run at once, then a message for every progress report (core NATS, from the worker) and
// every change of the run record (KV watch), until the run is terminal or the client goes away. Both
// sources are subscribed before the first read, so no change between the read and the subscription is
// missed.
import { Code, HeadstartError } from '@headstart/errors';
import { isTerminal } from '@headstart/jobs';
import { common, pretrain } from '@headstart/proto';
import type { ServerStreamContext } from '@headstart/service-kit';
import type { NatsConnection } from 'nats';
import { fractionDone } from '../training/training-config';
import { subscribeProgress } from './progress';
import type { RunStore } from './run-records';

export interface WatchRunDeps {
  store: RunStore;
  nc: NatsConnection;
}

function sameRun(a: pretrain.Run, b: pretrain.Run): boolean {
  return Buffer.from(pretrain.Run.encode(a).finish()).equals(pretrain.Run.encode(b).finish());
}

type Update = { kind: 'run'; run: pretrain.Run } | { kind: 'progress'; progress: pretrain.RunProgress };

/** Share of a run done according to its record (steps, or its time budget when nearer its end). */
function fractionOfRun(run: pretrain.Run): number {
  if (run.state === common.JobState.JOB_STATE_SUCCEEDED) return 1;
  if (run.totalSteps === 0) return 0; // a record StartRun has not resolved (never stored that way)
  return fractionDone(
    { step: run.step, trainingMs: run.trainingSeconds * 1000 },
    { totalSteps: run.totalSteps, timeBudgetMs: (run.spec?.training?.timeBudgetSeconds ?? 0) * 1000 },
  );
}

/** The response for a run, with the progress fields from its record or from a fresher report. */
export function watchResponse(run: pretrain.Run, progress?: pretrain.RunProgress): pretrain.WatchRunResponse {
  const fromRecord = pretrain.WatchRunResponse.fromPartial({
    run,
    step: run.step,
    totalSteps: run.totalSteps,
    tokensSeen: run.tokensSeen,
    sourceTokens: run.sourceTokens,
    loss: run.loss,
    trainingSeconds: run.trainingSeconds,
    fractionDone: fractionOfRun(run),
  });
  if (!progress) return fromRecord;
  return {
    ...fromRecord,
    step: progress.step,
    totalSteps: progress.totalSteps,
    tokensSeen: progress.tokensSeen,
    sourceTokens: progress.sourceTokens,
    loss: progress.loss,
    learningRate: progress.learningRate,
    tokensPerSecond: progress.tokensPerSecond,
    etaSeconds: progress.etaSeconds,
    gradNorm: progress.gradNorm,
    fractionDone: progress.fractionDone,
    trainingSeconds: progress.trainingSeconds,
    ...(progress.evalLoss === undefined
      ? {}
      : { evalLoss: progress.evalLoss, perplexity: progress.perplexity }),
  };
}

export async function watchRun(
  runId: string,
  ctx: ServerStreamContext<pretrain.WatchRunResponse>,
  deps: WatchRunDeps,
): Promise<void> {
  const pending: Update[] = [];
  let wake: (() => void) | undefined;
  const push = (update: Update) => {
    pending.push(update);
    wake?.();
  };
  const subscription = subscribeProgress(deps.nc, runId, (progress) => push({ kind: 'progress', progress }));
  const watcher = await deps.store.watch(runId, (record) => push({ kind: 'run', run: record.job }));
  const onAbort = () => wake?.();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    const first = await deps.store.get(runId);
    if (!first)
      throw new HeadstartError(Code.NOT_FOUND, `run ${runId} does not exist`, { details: { runId } });
    let run = first.job;
    await ctx.send(watchResponse(run));
    while (!isTerminal(run.state)) {
      if (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (ctx.signal.aborted) throw ctx.signal.reason;
      for (const update of pending.splice(0)) {
        if (update.kind === 'run') {
          // The KV watch replays the current value first: skip what the client has already seen.
          if (sameRun(update.run, run)) continue;
          run = update.run;
          await ctx.send(watchResponse(run));
          if (isTerminal(run.state)) break;
        } else if (!isTerminal(run.state) && update.progress.step >= run.step) {
          await ctx.send(watchResponse(run, update.progress));
        }
      }
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    subscription.unsubscribe();
    watcher.stop();
  }
}
