// The worker every ingest replica runs in-process: it pulls job items from the ingest work queue and runs
// them (libs/jobs deliverJob: claim, attempt, settle). Any replica runs any job; an item whose worker
// died goes to another replica after the ack wait, and the job starts over there.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Code, HeadstartError } from '@headstart/errors';
import type { ConsumerHandle, EventBus, WorkTypeDef } from '@headstart/events';
import { deliverJob, leaseStaleAfterMs, type FailureVerdict } from '@headstart/jobs';
import type { ingest } from '@headstart/proto';
import type { IngestJobStore } from './job-records';
import { runAttempt, type AttemptDeps } from './run-attempt';

export interface JobWorkerOptions extends AttemptDeps {
  bus: EventBus;
  store: IngestJobStore;
  workType: WorkTypeDef<ingest.IngestWork>;
  /** Jobs this replica runs at once. */
  concurrency: number;
}

/** A name unique to this worker (its lease says who runs a job). */
export function newWorkerId(): string {
  return `ingest-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Only an unavailable registry or NATS is worth another attempt; anything else fails the job at once. */
export function classifyFailure(err: unknown): FailureVerdict {
  const error = HeadstartError.from(err);
  const message = err instanceof Error ? err.message : String(err);
  return { permanent: error.code !== Code.UNAVAILABLE, message, code: error.codeName };
}

export function startJobWorker(options: JobWorkerOptions): Promise<ConsumerHandle> {
  const { bus, store, workType, logger } = options;
  const workerId = newWorkerId();
  logger.info({ workerId, concurrency: options.concurrency }, 'ingest worker started');
  return bus.consumeWork(
    workType,
    (item, ctx) =>
      deliverJob(item.jobId, ctx, {
        store,
        workerId,
        staleAfterMs: leaseStaleAfterMs(workType),
        maxDeliver: workType.consumer.maxDeliver,
        noun: 'job',
        logger,
        attempt: (claim, delivery) => runAttempt(claim, delivery, options),
        handBack: async (id, msgId) => {
          await bus.enqueueWork(workType, { jobId: id, requeues: item.requeues + 1 }, { msgId });
        },
        classifyFailure,
      }),
    { concurrency: options.concurrency },
  );
}
