// Jobs whose workers all died (libs/jobs watchExhaustedJobs: the server's max-deliveries advisory, plus
// sweeps for missed advisories and orphaned RUNNING jobs). The watch ends such a job FAILED; the API then
// announces it as a worker would have (FinetuneFinished, same msgId: one event per job, whoever sends it).
import type { EventBus, MaxDeliveriesWatch, WorkTypeDef } from '@headstart/events';
import { isTerminal, leaseStaleAfterMs, watchExhaustedJobs } from '@headstart/jobs';
import type { finetune } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { JOB_NOUN, type FinetuneJobStore } from './job-store';

export interface FinetuneExhaustedJobsOptions {
  bus: EventBus;
  store: FinetuneJobStore;
  workType: WorkTypeDef<finetune.FinetuneWork>;
  logger: Logger;
  /** Sweep interval (0: only at start). */
  sweepIntervalMs: number;
  /** A RUNNING job whose work item is gone and whose lease is older than this is FAILED. */
  orphanedAfterMs: number;
}

/** `store` with `announce` called for each job one of its updates ended. */
function announcingEnds(
  store: FinetuneJobStore,
  announce: (job: finetune.Finetune) => Promise<void>,
): FinetuneJobStore {
  return {
    ...store,
    update: async (id, fn) => {
      let ended: finetune.Finetune | undefined;
      const stored = await store.update(id, (record) => {
        const next = fn(record);
        ended = next && !isTerminal(record.job.state) && isTerminal(next.job.state) ? next.job : undefined;
        return next;
      });
      if (ended) await announce(ended);
      return stored;
    },
  };
}

export function watchFinetuneExhaustedJobs(
  options: FinetuneExhaustedJobsOptions,
): Promise<MaxDeliveriesWatch> {
  const { bus, workType } = options;
  const announce = async (job: finetune.Finetune) => {
    await bus.publish(
      'finetuneFinished',
      { jobId: job.id, versionId: '', succeeded: false, error: job.error, metrics: {} },
      { msgId: job.id },
    );
  };
  return watchExhaustedJobs({
    bus,
    store: announcingEnds(options.store, announce),
    workType,
    jobIdOf: (item) => item.finetuneId,
    noun: JOB_NOUN,
    logger: options.logger,
    sweepIntervalMs: options.sweepIntervalMs,
    // The workers' own rule (job-delivery.ts): a lease renewed within 2 × the ack wait is alive.
    staleAfterMs: leaseStaleAfterMs(workType),
    orphanedAfterMs: options.orphanedAfterMs,
  });
}
