// A job's lease: which attempt may write the record. JetStream hands a work item to one worker at a time;
// the lease covers the rest (a second item for the same job, a worker that hung past the ack wait while
// another took the job over): every write of an attempt is fenced by it.

/** Who runs a job, through which work item, and how recently it said so. */
export interface Lease {
  worker: string;
  /** Stream sequence of the work item being processed (a redelivery of it means the holder is gone). */
  streamSequence: number;
  /** Epoch ms of the holder's last heartbeat. */
  heartbeatAt: number;
}

/** The record no longer names this attempt as the job's holder: stop, write nothing. */
export class LostLeaseError extends Error {
  override readonly name = 'LostLeaseError';
}

/** Whether `held` (the record's lease) is the attempt's own `lease`. */
export function holdsLease(
  held: Lease | undefined,
  lease: Pick<Lease, 'worker' | 'streamSequence'>,
): boolean {
  return held !== undefined && held.worker === lease.worker && held.streamSequence === lease.streamSequence;
}

/**
 * When a lease counts as a dead worker's: twice the work queue's ack wait. A live worker heartbeats well
 * within one ack wait (or JetStream would redeliver its item), so two without a heartbeat mean it is gone.
 */
export function leaseStaleAfterMs(workType: { consumer: { ackWaitMs: number } }): number {
  return 2 * workType.consumer.ackWaitMs;
}
