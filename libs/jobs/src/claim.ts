// Which delivery of a work item may run a job: the claim that starts an attempt. A second item for a job
// whose holder is alive is dropped; a redelivery of the holder's own item, or a stale lease, means the
// holder is gone and the job is taken over (it resumes from whatever the previous attempt saved).
import { common } from '@headstart/proto';
import { finished, isTerminal, stateName, type JobFields } from './job';
import type { JobRecord, JobStore } from './job-store';
import type { Lease } from './lease';

export interface ClaimContext {
  worker: string;
  /** Stream sequence of the delivery being processed. */
  streamSequence: number;
  /** A lease not renewed for this long belongs to a dead worker. */
  staleAfterMs: number;
  now?: number;
}

export type ClaimResult<J> = { claimed: true; job: J; lease: Lease } | { claimed: false; reason: string };

/** The decision for one record (pure; `claimJob` applies it with compare-and-set). */
export function decideClaim<J extends JobFields>(
  record: JobRecord<J>,
  ctx: ClaimContext,
): { next?: JobRecord<J>; reason?: string } {
  const { job, lease } = record;
  const now = ctx.now ?? Date.now();
  if (isTerminal(job.state)) return { reason: `already ${stateName(job.state)}` };
  if (job.cancelRequested) {
    return { next: { job: finished(job, common.JobState.JOB_STATE_CANCELLED) }, reason: 'cancelled' };
  }
  if (job.state === common.JobState.JOB_STATE_RUNNING && lease) {
    const redelivered = lease.streamSequence === ctx.streamSequence;
    const stale = now - lease.heartbeatAt > ctx.staleAfterMs;
    if (!redelivered && !stale && lease.worker !== ctx.worker) {
      return { reason: `being run by ${lease.worker} (a duplicate work item)` };
    }
  }
  const at = new Date(now);
  return {
    next: {
      job: {
        ...job,
        state: common.JobState.JOB_STATE_RUNNING,
        startedAt: job.startedAt ?? at,
        updatedAt: at,
        worker: ctx.worker,
        attempts: job.attempts + 1,
        error: '',
        errorCode: '',
      },
      lease: { worker: ctx.worker, streamSequence: ctx.streamSequence, heartbeatAt: now },
    },
  };
}

/** Claims job `id` for this delivery, or says why not (unknown, finished, cancelled, held elsewhere). */
export async function claimJob<J extends JobFields>(
  store: JobStore<J>,
  id: string,
  ctx: ClaimContext,
): Promise<ClaimResult<J>> {
  if (!(await store.get(id))) return { claimed: false, reason: 'unknown (no record)' };
  let reason: string | undefined;
  let claimed: JobRecord<J> | undefined;
  await store.update(id, (record) => {
    const decision = decideClaim(record, ctx);
    reason = decision.reason;
    claimed = decision.next?.lease ? decision.next : undefined;
    return decision.next;
  });
  if (claimed?.lease) return { claimed: true, job: claimed.job, lease: claimed.lease };
  return { claimed: false, reason: reason ?? 'not claimable' };
}
