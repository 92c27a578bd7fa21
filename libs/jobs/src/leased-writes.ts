// Writes of an attempt (fenced by its lease) and the cancel request of an API.
import { common } from '@headstart/proto';
import { finished, isTerminal, type JobFields } from './job';
import type { JobStore, StoredJob } from './job-store';
import { holdsLease, LostLeaseError, type Lease } from './lease';

/**
 * Changes the job through the attempt's lease and renews its heartbeat; LostLeaseError when the record
 * names another holder (the job was taken over) or none (it was settled).
 */
export async function updateLeased<J extends JobFields>(
  store: JobStore<J>,
  id: string,
  lease: Lease,
  change: (job: J) => J,
): Promise<StoredJob<J>> {
  return store.update(id, (record) => {
    if (!holdsLease(record.lease, lease)) {
      throw new LostLeaseError(`${id} is no longer leased to ${lease.worker}`);
    }
    const now = Date.now();
    return {
      job: change({ ...record.job, updatedAt: new Date(now) }),
      lease: { ...lease, heartbeatAt: now },
    };
  });
}

/**
 * Settles the attempt: writes the job's outcome (terminal, or back in the queue) and releases the lease.
 * LostLeaseError when the attempt no longer holds it: its outcome is not this attempt's to write.
 */
export async function settleLeased<J extends JobFields>(
  store: JobStore<J>,
  id: string,
  lease: Pick<Lease, 'worker' | 'streamSequence'>,
  change: (job: J) => J,
): Promise<StoredJob<J>> {
  return store.update(id, (record) => {
    if (!holdsLease(record.lease, lease)) {
      throw new LostLeaseError(`${id} is no longer leased to ${lease.worker}`);
    }
    return { job: change(record.job) };
  });
}

/**
 * Asks for a job's end: a queued job is CANCELLED at once (a worker that later pulls its item drops it);
 * a running one is flagged and its worker stops at its next heartbeat. A finished job is left as it is.
 */
export async function requestCancel<J extends JobFields>(store: JobStore<J>, id: string): Promise<J> {
  const stored = await store.update(id, ({ job, lease }) => {
    if (isTerminal(job.state) || job.cancelRequested) return undefined;
    if (job.state === common.JobState.JOB_STATE_QUEUED) {
      return { job: finished({ ...job, cancelRequested: true }, common.JobState.JOB_STATE_CANCELLED) };
    }
    return { job: { ...job, cancelRequested: true, updatedAt: new Date() }, ...(lease ? { lease } : {}) };
  });
  return stored.job;
}
