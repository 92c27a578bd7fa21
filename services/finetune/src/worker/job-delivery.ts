// One work item on a finetune worker, step by step: claim the job from the finetune API (which may say it
// is unknown, finished or cancelled), run it, turn what happened into an outcome (or hand the item back
// for a retry), then settle: drop the local checkpoint, publish FinetuneFinished, report to the API.
import { isTransientError, retryTransient } from '@headstart/client-kit';
import { Code, HeadstartError } from '@headstart/errors';
import type { DeliveryContext, EventBus } from '@headstart/events';
import { common, type finetune } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { getTracer, withSpan } from '@headstart/telemetry';
import type { ControlClient } from '../control/control-client';
import type { DatasetLoader } from '../data/dataset-loader';
import { removeJobCheckpoint } from '../training/job-checkpoint';
import { createJobReporter } from './job-reporter';
import { JobCancelledError, runJob, type JobOutcome } from './run-job';

export interface FinetuneWorkerStats {
  started: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  skipped: number;
}

/** What every delivery of one worker uses. */
export interface JobDeliveryDeps {
  /** The worker's name, shown in job records. */
  name: string;
  backendName: string;
  client: RegistryClient;
  bus: EventBus;
  control: ControlClient;
  datasets: DatasetLoader;
  checkpointDir: string;
  stats: FinetuneWorkerStats;
  logger: Logger;
  /** The work queue's delivery limit: a transient failure on the last delivery fails the job. */
  maxDeliver: number;
  progressIntervalMs: number;
  checkpointIntervalMs: number;
  finishTimeoutMs: number;
}

/** The work handler of a finetune worker's consumer. */
export function jobDeliveryHandler(
  deps: JobDeliveryDeps,
): (item: finetune.FinetuneWork, ctx: DeliveryContext) => Promise<void> {
  return async (item, ctx) => {
    const log = deps.logger.child({ finetune: item.finetuneId, delivery: ctx.deliveryCount });
    const job = await claimJob(deps, item.finetuneId, ctx, log);
    if (!job) return;
    deps.stats.started++;
    const outcome = await attemptJob(deps, job, ctx, log);
    await settleJob(deps, item.finetuneId, outcome, ctx, log);
  };
}

/** The job to run, or undefined (counted as skipped) when the API does not know it or it has ended. */
async function claimJob(
  deps: JobDeliveryDeps,
  id: string,
  ctx: DeliveryContext,
  log: Logger,
): Promise<finetune.Finetune | undefined> {
  let claim: finetune.ClaimFinetuneResponse;
  try {
    claim = await deps.control.claim({
      finetuneId: id,
      worker: deps.name,
      delivery: ctx.deliveryCount,
      backend: deps.backendName,
    });
  } catch (err) {
    if (err instanceof HeadstartError && err.code === Code.NOT_FOUND) {
      log.warn('work item for a job the finetune API does not know: dropped');
      deps.stats.skipped++;
      return undefined;
    }
    throw err;
  }
  if (!claim.run || !claim.finetune) {
    log.info({ state: claim.finetune?.state }, 'job is already finished or cancelled: skipped');
    deps.stats.skipped++;
    return undefined;
  }
  return claim.finetune;
}

/**
 * Runs the job; its outcome, including a cancellation or a failure. Throws (the item comes back) when the
 * worker is stopping or a transient failure has deliveries left.
 */
async function attemptJob(
  deps: JobDeliveryDeps,
  job: finetune.Finetune,
  ctx: DeliveryContext,
  log: Logger,
): Promise<JobOutcome> {
  const reporter = createJobReporter(
    deps.control,
    { finetuneId: job.id, worker: deps.name },
    deps.progressIntervalMs,
    (err) => log.debug({ err: (err as Error).message }, 'progress report failed'),
  );
  try {
    // A span per attempt, child of the work item's consumer span (so of what queued the job: a
    // StartFinetune, a study, or the trigger that matched a checkpoint).
    return await withSpan(
      getTracer('@headstart/finetune'),
      'finetune job',
      { attributes: { 'headstart.job.id': job.id, 'headstart.attempt': ctx.deliveryCount } },
      () =>
        runJob({
          job,
          client: deps.client,
          bus: deps.bus,
          datasets: deps.datasets,
          reporter,
          checkpointDir: deps.checkpointDir,
          checkpointIntervalMs: deps.checkpointIntervalMs,
          logger: log,
          signal: ctx.signal,
          heartbeat: () => ctx.working(),
        }),
    );
  } catch (err) {
    // The worker is stopping: hand the item back; the job resumes from its checkpoint.
    if (ctx.signal.aborted) throw err;
    if (err instanceof JobCancelledError) {
      return {
        ...failure(new HeadstartError(Code.CANCELLED, 'cancelled')),
        state: common.JobState.JOB_STATE_CANCELLED,
      };
    }
    if (isTransientError(err) && ctx.deliveryCount < deps.maxDeliver) {
      log.warn({ err: (err as Error).message }, 'transient failure: the job will be retried');
      throw err;
    }
    log.error({ err }, 'fine-tune failed');
    return failure(err);
  }
}

/** Makes a final outcome known: FinetuneFinished on the bus (once per job) and the API's record. */
async function settleJob(
  deps: JobDeliveryDeps,
  id: string,
  outcome: JobOutcome,
  ctx: DeliveryContext,
  log: Logger,
): Promise<void> {
  const succeeded = outcome.state === common.JobState.JOB_STATE_SUCCEEDED;
  // The outcome is final (a redelivery finds the registered version instead of training): the job's
  // checkpoint is no longer needed.
  await removeJobCheckpoint(deps.checkpointDir, id);
  await deps.bus.publish(
    'finetuneFinished',
    {
      jobId: id,
      versionId: outcome.resultVersion?.versionId ?? '',
      succeeded,
      error: outcome.error,
      metrics: outcome.metrics,
    },
    { msgId: id },
  );
  await reportFinish(
    deps.control,
    { ...outcome, finetuneId: id, worker: deps.name },
    ctx,
    deps.finishTimeoutMs,
    log,
  );
  if (succeeded) deps.stats.succeeded++;
  else if (outcome.state === common.JobState.JOB_STATE_CANCELLED) deps.stats.cancelled++;
  else deps.stats.failed++;
}

function failure(err: unknown): JobOutcome {
  const error =
    err instanceof HeadstartError
      ? err
      : new HeadstartError(Code.INTERNAL, err instanceof Error ? err.message : String(err));
  return {
    state: common.JobState.JOB_STATE_FAILED,
    error: error.message,
    errorCode: error.codeName,
    resultVersion: undefined,
    metrics: {},
    bestDev: undefined,
    test: undefined,
    step: 0,
    stoppedEarly: false,
  };
}

/** Reports the end to the API, retrying transient failures (heartbeating meanwhile) until `timeoutMs`. */
async function reportFinish(
  control: ControlClient,
  request: finetune.FinishFinetuneRequest,
  ctx: DeliveryContext,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  await retryTransient(() => control.finish(request), {
    boundMs: timeoutMs,
    firstDelayMs: 250,
    maxDelayMs: 5_000,
    onFirstFailure: (err) =>
      logger.warn(
        { finetune: request.finetuneId, err: err.message },
        'finetune API unreachable; retrying the report',
      ),
    beforeWait: () => ctx.working(),
  });
}
