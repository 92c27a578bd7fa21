// Jobs whose workers all died. A worker settles its job itself whenever it lives to see the outcome; when
// it is killed (OOM, kill -9, a node lost) on every delivery, JetStream stops delivering the item and no
// worker is left to say so, and the job would stay RUNNING forever. The API owns the records, so it
// watches for that (bus.onMaxDeliveries: the server's advisory, plus sweeps at start and periodically) and
// marks such jobs FAILED with what an operator needs to look into it. Its sweeps also catch jobs that claim
// to be RUNNING although their work item is gone, so nothing could ever resume them.
import { Code, HeadstartError } from '@headstart/errors';
import type {
  EventBus,
  EventsLogger,
  ExhaustedWork,
  MaxDeliveriesWatch,
  WorkTypeDef,
} from '@headstart/events';
import { STREAMS, deadLetterSubject } from '@headstart/events';
import { common } from '@headstart/proto';
import { finished, isTerminal, type JobFields } from './job';
import type { JobRecord, JobStore, JobUpdate, StoredJob } from './job-store';
import type { Lease } from './lease';

const { JobState } = common;

export interface ExhaustedJobsOptions<J extends JobFields, T> {
  bus: EventBus;
  store: JobStore<J>;
  workType: WorkTypeDef<T>;
  /** The job a work item is for. */
  jobIdOf(item: T): string;
  /** What a job is called in messages ("run", "fine-tune", "job"). @default 'job' */
  noun?: string;
  logger: EventsLogger;
  /** Sweep interval (0: only at start). */
  sweepIntervalMs: number;
  /** A lease renewed within this time belongs to a live worker (the workers' own rule: 2 × ack wait). */
  staleAfterMs: number;
  /** A RUNNING job whose work item is gone and whose lease is older than this is FAILED. */
  orphanedAfterMs: number;
  now?: () => number;
}

/** The error code of a job whose workers died: the attempt was aborted from outside. */
export const WORKER_DIED_CODE = Code[Code.ABORTED];

function heartbeatText(lease: Lease | undefined): string {
  return lease
    ? `last heartbeat at ${new Date(lease.heartbeatAt).toISOString()} from worker ${lease.worker}`
    : 'no worker heartbeat was recorded';
}

export function exhaustedJobMessage(
  work: Pick<ExhaustedWork<unknown>, 'deliveries' | 'deadLetter'>,
  lease: Lease | undefined,
  ackWaitMs: number,
  consumer: string,
  noun = 'job',
): string {
  return (
    `the worker died on each of ${work.deliveries} deliveries of this ${noun} (none acked, failed or ` +
    `heartbeated within the ${ackWaitMs / 1_000} s ack wait: killed, out of memory or hung); ` +
    `${heartbeatText(lease)}; see the worker logs. The work item is in the dead-letter queue ` +
    `(${deadLetterSubject(consumer)}, sequence ${work.deadLetter.sequence}).`
  );
}

function failJob<J extends JobFields>(record: JobRecord<J>, message: string): JobRecord<J> {
  // A job the user had asked to cancel ends as they asked.
  const state = record.job.cancelRequested ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED;
  return { job: finished(record.job, state, { message, code: WORKER_DIED_CODE }) };
}

async function updateIfExists<J extends JobFields>(
  store: JobStore<J>,
  id: string,
  fn: JobUpdate<J>,
): Promise<StoredJob<J> | undefined> {
  try {
    return await store.update(id, fn);
  } catch (err) {
    if (err instanceof HeadstartError && err.code === Code.NOT_FOUND) return undefined;
    throw err;
  }
}

/** Whether the work stream still holds the item at `seq` (in flight, waiting or exhausted). */
async function itemExists(bus: EventBus, seq: number): Promise<boolean> {
  try {
    await bus.jsm.streams.getMessage(STREAMS.work.name, { seq });
    return true;
  } catch (err) {
    if (/no message found/i.test(String((err as Error)?.message ?? err))) return false;
    throw err;
  }
}

export async function watchExhaustedJobs<J extends JobFields, T>(
  options: ExhaustedJobsOptions<J, T>,
): Promise<MaxDeliveriesWatch> {
  const { bus, store, workType, logger } = options;
  const now = options.now ?? Date.now;
  const noun = options.noun ?? 'job';
  const { ackWaitMs, name: consumer } = workType.consumer;

  const onExhausted = async (work: ExhaustedWork<T>): Promise<void> => {
    const id = options.jobIdOf(work.item);
    let failed: J | undefined;
    await updateIfExists(store, id, (record) => {
      const { job, lease } = record;
      if (isTerminal(job.state)) return undefined;
      // Run through another item (e.g. a shutdown hand-back) by a live worker: not this item's job.
      const elsewhere =
        job.state === JobState.JOB_STATE_RUNNING &&
        lease !== undefined &&
        lease.streamSequence !== work.streamSequence &&
        now() - lease.heartbeatAt <= options.staleAfterMs;
      if (elsewhere) return undefined;
      const next = failJob(record, exhaustedJobMessage(work, lease, ackWaitMs, consumer, noun));
      failed = next.job;
      return next;
    });
    if (failed)
      logger.error({ id, seq: work.streamSequence, err: failed.error }, `${noun} failed: its workers died`);
  };

  /**
   * RUNNING jobs whose lease went stale and whose work item is gone (acked by a worker that could not
   * record the outcome, purged by an operator): nothing will ever deliver them again.
   */
  const failOrphans = async (): Promise<void> => {
    const running = (await store.list()).filter((job) => job.state === JobState.JOB_STATE_RUNNING);
    for (const candidate of running) {
      const current = await store.get(candidate.id);
      const lease = current?.lease;
      if (!current || current.job.state !== JobState.JOB_STATE_RUNNING || !lease) continue;
      if (now() - lease.heartbeatAt <= options.orphanedAfterMs) continue;
      if (await itemExists(bus, lease.streamSequence)) continue;
      let failed: J | undefined;
      await updateIfExists(store, candidate.id, (record) => {
        // Only the record that was checked: a new claim or heartbeat since then means someone is on it.
        if (
          record.job.state !== JobState.JOB_STATE_RUNNING ||
          record.lease?.heartbeatAt !== lease.heartbeatAt
        ) {
          return undefined;
        }
        const message =
          `the ${noun} was RUNNING but its work item is gone from the queue, so nothing can resume it; ` +
          `${heartbeatText(lease)}; see the worker logs.`;
        const next = failJob(record, message);
        failed = next.job;
        return next;
      });
      if (failed) logger.error({ id: candidate.id, err: failed.error }, `${noun} failed: orphaned`);
    }
  };

  return bus.onMaxDeliveries(workType, onExhausted, {
    sweepIntervalMs: options.sweepIntervalMs,
    afterSweep: failOrphans,
  });
}
