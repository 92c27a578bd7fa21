// Which delivery of a work item may train a run. JetStream already hands an item to one worker at a time;
// the lease in the run record covers the rest: a second item for the same run (a shutdown hand-back whose
// original was not acked, a sweep after the dedupe window) must not start a second trainer while the
// first is alive, and a dead trainer's item must be taken over.
import { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { Lease, RunRecord, RunStore } from '../runs/run-store';
import { finished, isTerminal, stateName } from '../runs/run-state';

export interface ClaimContext {
  worker: string;
  /** Stream sequence of the delivery being processed. */
  streamSequence: number;
  /** A lease not renewed for this long belongs to a dead worker. */
  staleAfterMs: number;
  now?: number;
}

export type ClaimResult =
  { claimed: true; run: pretrain.Run; lease: Lease } | { claimed: false; reason: string };

/** The decision for one record (pure; `claimRun` applies it with compare-and-set). */
export function decideClaim(record: RunRecord, ctx: ClaimContext): { next?: RunRecord; reason?: string } {
  const { run, lease } = record;
  const now = ctx.now ?? Date.now();
  if (isTerminal(run.state)) return { reason: `run is already ${stateName(run.state)}` };
  if (run.cancelRequested) {
    return { next: { run: finished(run, common.JobState.JOB_STATE_CANCELLED) }, reason: 'run was cancelled' };
  }
  if (run.state === common.JobState.JOB_STATE_RUNNING && lease) {
    const redelivered = lease.streamSequence === ctx.streamSequence;
    const stale = now - lease.heartbeatAt > ctx.staleAfterMs;
    if (!redelivered && !stale && lease.worker !== ctx.worker) {
      return { reason: `run is being trained by ${lease.worker} (a duplicate work item)` };
    }
  }
  const claimed: Lease = { worker: ctx.worker, streamSequence: ctx.streamSequence, heartbeatAt: now };
  const at = new Date(now);
  return {
    next: {
      run: pretrain.Run.fromPartial({
        ...run,
        state: common.JobState.JOB_STATE_RUNNING,
        startedAt: run.startedAt ?? at,
        updatedAt: at,
        worker: ctx.worker,
        attempts: run.attempts + 1,
        error: '',
        errorCode: '',
      }),
      lease: claimed,
    },
  };
}

export async function claimRun(store: RunStore, runId: string, ctx: ClaimContext): Promise<ClaimResult> {
  const current = await store.get(runId);
  if (!current) return { claimed: false, reason: 'run does not exist' };
  let reason: string | undefined;
  let claimed: RunRecord | undefined;
  await store.update(runId, (record) => {
    const decision = decideClaim(record, ctx);
    reason = decision.reason;
    claimed = decision.next && decision.next.lease ? decision.next : undefined;
    return decision.next;
  });
  if (claimed?.lease) return { claimed: true, run: claimed.run, lease: claimed.lease };
  return { claimed: false, reason: reason ?? 'not claimable' };
}
