// Jobs whose workers all died. A worker reports its job's outcome whenever it lives to see it; when it is
// killed (OOM, kill -9, a node lost) on every delivery, JetStream stops delivering the item, no worker
// is left to report, and the job would stay RUNNING forever. The API owns the jobs, so it watches for
// that (bus.onMaxDeliveries: the server's advisory, plus sweeps at start and periodically) and ends such
// jobs FAILED with what an operator needs to look into it, announcing it like a worker would
// (FinetuneFinished). Its sweeps also catch jobs RUNNING whose work item is gone from the queue.
import { Code } from '@headstart/errors';
import type { EventBus, ExhaustedWork, MaxDeliveriesWatch, QueuedWork, WorkTypeDef } from '@headstart/events';
import { deadLetterSubject } from '@headstart/events';
import type { finetune } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import type { FinetuneStore } from '../store/finetune-store';
import type { JobService } from './job-service';

export interface ExhaustedJobsOptions {
  bus: EventBus;
  store: FinetuneStore;
  jobs: JobService;
  workType: WorkTypeDef<finetune.FinetuneWork>;
  logger: Logger;
  /** Sweep interval (0: only at start). */
  sweepIntervalMs: number;
  /** A RUNNING job without a work item that has not reported for this long is FAILED. */
  orphanedAfterMs: number;
  now?: () => number;
}

/** The error code of a job whose workers died: the attempt was aborted from outside. */
export const WORKER_DIED_CODE = Code[Code.ABORTED];

function lastHeard(job: finetune.Finetune | undefined): string {
  if (!job?.updatedAt) return 'no worker report was recorded';
  const who = job.worker === '' ? '' : ` from worker ${job.worker}`;
  return `last heartbeat at ${job.updatedAt.toISOString()}${who}`;
}

export async function watchExhaustedJobs(options: ExhaustedJobsOptions): Promise<MaxDeliveriesWatch> {
  const { bus, store, jobs, workType, logger } = options;
  const now = options.now ?? Date.now;
  const { ackWaitMs, name: consumer } = workType.consumer;

  const end = async (id: string, error: string): Promise<void> => {
    const job = jobs.abandon(id, error, WORKER_DIED_CODE);
    if (!job) return;
    logger.error({ finetune: id, err: error }, 'fine-tune job failed: its workers died');
    // What a worker would have announced (same msgId: one event per job, whoever sends it).
    await bus.publish(
      'finetuneFinished',
      { jobId: id, versionId: '', succeeded: false, error: job.error, metrics: {} },
      { msgId: id },
    );
  };

  const onExhausted = async (work: ExhaustedWork<finetune.FinetuneWork>): Promise<void> => {
    const id = work.item.finetuneId;
    const job = store.getJob(id)?.job;
    const error =
      `the worker died on each of ${work.deliveries} deliveries of this job (none acked, failed or ` +
      `heartbeated within the ${ackWaitMs / 1_000} s ack wait: killed, out of memory or hung); ` +
      `${lastHeard(job)}; see the worker logs. The work item is in the dead-letter queue ` +
      `(${deadLetterSubject(consumer)}, sequence ${work.deadLetter.sequence}).`;
    await end(id, error);
  };

  const failOrphans = async (remaining: readonly QueuedWork<finetune.FinetuneWork>[]): Promise<void> => {
    const queued = new Set(remaining.map((w) => w.item?.finetuneId));
    const orphans = store
      .unfinishedJobs()
      .filter(
        (job) =>
          job.state === common.JobState.JOB_STATE_RUNNING &&
          !queued.has(job.id) &&
          now() - (job.updatedAt?.getTime() ?? 0) > options.orphanedAfterMs,
      );
    for (const job of orphans) {
      // Re-read: a report since the listing means a worker is on it after all.
      const current = store.getJob(job.id)?.job;
      if (current?.updatedAt?.getTime() !== job.updatedAt?.getTime()) continue;
      await end(
        job.id,
        `the job was RUNNING but its work item is gone from the queue, so nothing can resume it; ` +
          `${lastHeard(job)}; see the worker logs.`,
      );
    }
  };

  return bus.onMaxDeliveries(workType, onExhausted, {
    sweepIntervalMs: options.sweepIntervalMs,
    afterSweep: failOrphans,
  });
}
