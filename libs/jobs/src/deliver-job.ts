// One delivery of a work item on a worker, the same for every kind of job: claim the job, run an attempt,
// and settle the record and the queue item according to how it ended.
//   completed  → SUCCEEDED (with the attempt's results), item acked
//   cancelled  → CANCELLED, item acked
//   handed back (the worker is stopping) → record QUEUED, a fresh item enqueued, this one acked: the
//                hand-back does not count as a failed delivery (the delivery limit is for failures)
//   failure    → permanent, or the last allowed delivery: FAILED, acked; otherwise record QUEUED and the
//                error rethrown, so the item comes back after the consumer's backoff and resumes
import type { DeliveryContext, EventsLogger } from '@headstart/events';
import { common } from '@headstart/proto';
import { claimJob } from './claim';
import { finished, requeued, type JobFields } from './job';
import type { JobStore } from './job-store';
import { LostLeaseError, type Lease } from './lease';
import { settleLeased } from './leased-writes';

const { JobState } = common;

/** How an attempt ended, when it did not throw. */
export type AttemptOutcome<J> =
  { kind: 'completed'; results: (job: J) => J } | { kind: 'cancelled' } | { kind: 'handedBack' };

export interface FailureVerdict {
  /** A failure a retry cannot fix (bad input, a missing version): the job fails at once. */
  permanent: boolean;
  message: string;
  /** The gRPC code name recorded as the job's error_code. */
  code: string;
}

export interface JobDeliveryOptions<J extends JobFields> {
  store: JobStore<J>;
  workerId: string;
  /** A lease not renewed for this long belongs to a dead worker (2 × the ack wait). */
  staleAfterMs: number;
  /** The work queue's delivery limit: a failure on the last delivery fails the job. */
  maxDeliver: number;
  /** What a job is called in logs ("run", "fine-tune", "job"). */
  noun: string;
  logger: EventsLogger;
  /** Runs the attempt; throws on failure (LostLeaseError when the job was taken over meanwhile). */
  attempt(claim: { job: J; lease: Lease }, ctx: DeliveryContext): Promise<AttemptOutcome<J>>;
  /** Enqueues a fresh work item for a handed-back job (`msgId` deduplicates a retried hand-back). */
  handBack(id: string, msgId: string): Promise<void>;
  classifyFailure(err: unknown): FailureVerdict;
  /**
   * Called with the job's final record before it is written (e.g. to publish a "finished" event that a
   * redelivery would publish again, deduplicated): a throw leaves the job running and the item comes back.
   */
  beforeFinish?(job: J): Promise<void>;
}

/** The queue's delivery handler for job `id`: claim, attempt, settle. */
export async function deliverJob<J extends JobFields>(
  id: string,
  ctx: DeliveryContext,
  options: JobDeliveryOptions<J>,
): Promise<void> {
  const { store, logger, noun } = options;
  const claim = await claimJob(store, id, {
    worker: options.workerId,
    streamSequence: ctx.streamSequence,
    staleAfterMs: options.staleAfterMs,
  });
  if (!claim.claimed) {
    logger.info({ id, reason: claim.reason }, `work item dropped: the ${noun} is ${claim.reason}`);
    return;
  }
  const { lease } = claim;
  const finish = async (change: (job: J) => J): Promise<void> => {
    await options.beforeFinish?.(change(claim.job));
    await settleLeased(store, id, lease, change);
  };
  try {
    const outcome = await options.attempt(claim, ctx);
    if (outcome.kind === 'completed') {
      await finish((job) => outcome.results(finished(job, JobState.JOB_STATE_SUCCEEDED)));
      logger.info({ id }, `${noun} succeeded`);
    } else if (outcome.kind === 'cancelled') {
      await finish((job) => finished(job, JobState.JOB_STATE_CANCELLED));
      logger.info({ id }, `${noun} cancelled`);
    } else {
      await settleLeased(store, id, lease, (job) => requeued(job));
      await options.handBack(id, `${id}:handback:${ctx.streamSequence}`);
      logger.info({ id }, `${noun} handed back to the queue: the worker is stopping`);
    }
  } catch (err) {
    if (err instanceof LostLeaseError) {
      logger.warn({ id, err: err.message }, `${noun} taken over by another worker; this attempt stops`);
      return;
    }
    await settleFailure(id, err, ctx, lease, options, finish);
  }
}

/** A failed attempt: FAILED when permanent or out of deliveries, else QUEUED and rethrown for a retry. */
async function settleFailure<J extends JobFields>(
  id: string,
  err: unknown,
  ctx: DeliveryContext,
  lease: Lease,
  options: JobDeliveryOptions<J>,
  finish: (change: (job: J) => J) => Promise<void>,
): Promise<void> {
  const { logger, noun } = options;
  const failure = options.classifyFailure(err);
  const lastTry = ctx.deliveryCount >= options.maxDeliver;
  if (failure.permanent || lastTry) {
    logger.error(
      { id, err: failure.message, code: failure.code, permanent: failure.permanent },
      `${noun} failed`,
    );
    await finish((job) =>
      finished(job, JobState.JOB_STATE_FAILED, { message: failure.message, code: failure.code }),
    ).catch((e: unknown) => logger.warn({ id, err: String(e) }, 'could not record the failure'));
    return;
  }
  logger.warn(
    { id, err: failure.message, code: failure.code },
    `attempt failed; the ${noun} will be retried`,
  );
  await settleLeased(options.store, id, lease, (job) =>
    requeued(job, {
      message: `attempt ${job.attempts} failed (${failure.code}): ${failure.message}; retrying`,
      code: failure.code,
    }),
  ).catch((e: unknown) => logger.warn({ id, err: String(e) }, 'could not record the retry'));
  throw err;
}
