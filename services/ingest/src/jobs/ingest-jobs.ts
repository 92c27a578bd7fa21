// Everything of one replica that concerns jobs: the shared records, the job calls, this replica's worker,
// and the sweeps every replica runs (queued jobs not on the queue, jobs whose workers all died, retention).
import type { ConsumerHandle, EventBus, MaxDeliveriesWatch } from '@headstart/events';
import { leaseStaleAfterMs, startQueuedSweep, watchExhaustedJobs } from '@headstart/jobs';
import type { ingest } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { createJobApi, type JobApi } from './job-api';
import { openIngestJobStore, type IngestJobStore } from './job-records';
import { startRetention } from './job-retention';
import type { JobRunner } from './job-runner';
import { startJobWorker } from './job-worker';
import { ingestWorkType, type IngestQueueOptions } from './work-type';

const DAY_MS = 86_400_000;

export interface IngestJobsOptions {
  bus: EventBus;
  /** @default 'HEADSTART_INGEST_JOBS' */
  jobsBucket?: string | undefined;
  /** Replicas of the jobs bucket (3 on a cluster). @default 1 */
  replicas?: number | undefined;
  queue?: IngestQueueOptions | undefined;
  runners: Partial<Record<ingest.JobKind, JobRunner>>;
  /** Scratch directories of this replica's attempts. */
  workDir: string;
  logger: Logger;
  /** Jobs this replica's worker runs at once; 0: no worker. @default 1 */
  concurrency?: number | undefined;
  /** @default 1000 */
  maxQueued?: number | undefined;
  /** @default 30 days */
  retentionMs?: number | undefined;
  /** @default 30 s */
  cancelWaitMs?: number | undefined;
  /** @default 1 s */
  progressIntervalMs?: number | undefined;
  /** 0 disables. @default 60 s */
  requeueSweepMs?: number | undefined;
  /** 0: at start only. @default 60 s */
  exhaustedSweepMs?: number | undefined;
  /**
   * How long stop() waits for running jobs to hand themselves back; one that does not is redelivered to
   * another replica after the ack wait, as if this one had died. @default 10 s
   */
  stopWaitMs?: number | undefined;
}

export interface IngestJobs {
  readonly store: IngestJobStore;
  readonly api: JobApi;
  /** None with `concurrency: 0`. */
  readonly worker: ConsumerHandle | undefined;
  readonly exhausted: MaxDeliveriesWatch;
  /** Ends watches and submits, hands running jobs back to the queue (bounded), stops the sweeps. */
  stop(): Promise<void>;
}

/** Resolves when `work` settles or after `ms`; true when it settled. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startIngestJobs(options: IngestJobsOptions): Promise<IngestJobs> {
  const { bus, logger } = options;
  const store = await openIngestJobStore(bus, { bucket: options.jobsBucket, replicas: options.replicas });
  const workType = ingestWorkType(options.queue);
  const enqueue = async (jobId: string) => {
    await bus.enqueueWork(workType, { jobId, requeues: 0 }, { msgId: jobId });
  };
  const closing = new AbortController();
  const api = createJobApi({
    store,
    enqueue,
    logger,
    maxQueued: options.maxQueued ?? 1000,
    cancelWaitMs: options.cancelWaitMs ?? 30_000,
    closing: closing.signal,
  });
  const retention = await startRetention({
    store,
    retentionMs: options.retentionMs ?? 30 * DAY_MS,
    intervalMs: DAY_MS / 24,
    logger,
  });
  const sweep = startQueuedSweep({ store, enqueue, logger, intervalMs: options.requeueSweepMs ?? 60_000 });
  // Any replica settles the jobs whose workers all died (the records are shared; updates are CAS).
  const { ackWaitMs } = workType.consumer;
  const exhausted = await watchExhaustedJobs({
    bus,
    store,
    workType,
    jobIdOf: (item) => item.jobId,
    logger,
    sweepIntervalMs: options.exhaustedSweepMs ?? 60_000,
    staleAfterMs: leaseStaleAfterMs(workType),
    orphanedAfterMs: 5 * ackWaitMs,
  });
  const concurrency = options.concurrency ?? 1;
  const worker =
    concurrency === 0
      ? undefined
      : await startJobWorker({
          bus,
          store,
          workType,
          concurrency,
          runners: options.runners,
          workDir: options.workDir,
          logger,
          progressIntervalMs: options.progressIntervalMs ?? 1_000,
        });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    closing.abort();
    if (worker && !(await within(worker.stop({ graceMs: 0 }), options.stopWaitMs ?? 10_000))) {
      logger.warn('jobs did not stop in time; their items go to another replica after the ack wait');
    }
    sweep.stop();
    retention.stop();
    await exhausted.stop();
  };
  return { store, api, worker, exhausted, stop: () => (stopping ??= stop()) };
}
