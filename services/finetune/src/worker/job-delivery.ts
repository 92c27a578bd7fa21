// One work item on a finetune worker, through the one job model (libs/jobs deliverJob): claim the job in
// its record (a lease; an unknown, finished or cancelled job is skipped), run it with progress and
// heartbeats written through the lease, then settle: drop the local checkpoint, publish
// FinetuneFinished (once per job: msgId = job id) and write the final record. A transient failure with
// deliveries left puts the job back in the queue; a permanent one, or the last delivery's, fails it.
import { isTransientError } from '@headstart/client-kit';
import { Code, HeadstartError } from '@headstart/errors';
import type { DeliveryContext, EventBus, WorkTypeDef } from '@headstart/events';
import {
  deliverJob,
  leaseStaleAfterMs,
  type AttemptOutcome,
  type FailureVerdict,
  type Lease,
} from '@headstart/jobs';
import { common, type finetune } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { getTracer, withSpan } from '@headstart/telemetry';
import type { DatasetLoader } from '../data/dataset-loader';
import { JOB_NOUN, type FinetuneJobStore } from '../jobs/job-store';
import { removeJobCheckpoint } from '../training/job-checkpoint';
import { createJobReporter } from './job-reporter';
import { JobCancelledError, runJob, type JobResults } from './run-job';

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
  store: FinetuneJobStore;
  client: RegistryClient;
  bus: EventBus;
  workType: WorkTypeDef<finetune.FinetuneWork>;
  datasets: DatasetLoader;
  checkpointDir: string;
  stats: FinetuneWorkerStats;
  logger: Logger;
  progressIntervalMs: number;
  checkpointIntervalMs: number;
}

/** The work handler of a finetune worker's consumer. */
export function jobDeliveryHandler(
  deps: JobDeliveryDeps,
): (item: finetune.FinetuneWork, ctx: DeliveryContext) => Promise<void> {
  return async (item, ctx) => {
    const id = item.finetuneId;
    const log = deps.logger.child({ finetune: id, delivery: ctx.deliveryCount });
    let attempted = false;
    await deliverJob(id, ctx, {
      store: deps.store,
      workerId: deps.name,
      staleAfterMs: leaseStaleAfterMs(deps.workType),
      maxDeliver: deps.workType.consumer.maxDeliver,
      noun: JOB_NOUN,
      logger: log,
      attempt: (claim) => {
        attempted = true;
        return attemptJob(deps, claim, ctx, log);
      },
      handBack: async (jobId, msgId) => {
        await deps.bus.enqueueWork(deps.workType, { finetuneId: jobId }, { msgId });
      },
      classifyFailure,
      beforeFinish: (job) => announceEnd(deps, job),
    });
    // Not claimed: unknown, finished, cancelled or held by another worker (a duplicate item).
    if (!attempted) deps.stats.skipped++;
  };
}

/** Runs the job; its outcome. Throws on failure (job-delivery's rules decide: retry or fail). */
async function attemptJob(
  deps: JobDeliveryDeps,
  claim: { job: finetune.Finetune; lease: Lease },
  ctx: DeliveryContext,
  log: Logger,
): Promise<AttemptOutcome<finetune.Finetune>> {
  deps.stats.started++;
  const { job, lease } = claim;
  const reporter = createJobReporter(deps.store, { id: job.id, lease }, deps.progressIntervalMs, (err) =>
    log.debug({ err: (err as Error).message }, 'progress write failed'),
  );
  // The worker's backend, for the record (the claim wrote the worker's name); a cancel stops here.
  if (await reporter.report({ backend: deps.backendName }, true)) return { kind: 'cancelled' };
  try {
    // A span per attempt, child of the work item's consumer span (so of what queued the job: a
    // StartFinetune, a study, or the trigger that matched a checkpoint).
    const results = await withSpan(
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
          heartbeat: () => {
            ctx.working();
            // Throttled by the reporter: renews the lease through long steps without progress.
            reporter.report({}).catch(() => undefined);
          },
        }),
    );
    return { kind: 'completed', results: (finished) => withResults(finished, results) };
  } catch (err) {
    // The worker is stopping: the job goes back to the queue and resumes from its checkpoint.
    if (ctx.signal.aborted) return { kind: 'handedBack' };
    if (err instanceof JobCancelledError) return { kind: 'cancelled' };
    throw err;
  }
}

function withResults(job: finetune.Finetune, results: JobResults): finetune.Finetune {
  return {
    ...job,
    ...results,
    bestDev: results.bestDev ?? job.bestDev,
    step: results.step || job.step,
  };
}

/** Transient failures (UNAVAILABLE, a timeout…) are retried while deliveries are left. */
function classifyFailure(err: unknown): FailureVerdict {
  const error =
    err instanceof HeadstartError
      ? err
      : new HeadstartError(Code.INTERNAL, err instanceof Error ? err.message : String(err));
  return { permanent: !isTransientError(err), message: error.message, code: error.codeName };
}

/**
 * Before the final record is written: the outcome is final (a redelivery finds the registered version
 * instead of training), so the local checkpoint goes; then FinetuneFinished, deduplicated by job id.
 */
async function announceEnd(deps: JobDeliveryDeps, job: finetune.Finetune): Promise<void> {
  await removeJobCheckpoint(deps.checkpointDir, job.id);
  const succeeded = job.state === common.JobState.JOB_STATE_SUCCEEDED;
  const cancelled = job.state === common.JobState.JOB_STATE_CANCELLED;
  await deps.bus.publish(
    'finetuneFinished',
    {
      jobId: job.id,
      versionId: job.resultVersion?.versionId ?? '',
      succeeded,
      error: cancelled ? job.error || 'cancelled' : job.error,
      metrics: job.metrics,
    },
    { msgId: job.id },
  );
  if (succeeded) deps.stats.succeeded++;
  else if (cancelled) deps.stats.cancelled++;
  else deps.stats.failed++;
}
