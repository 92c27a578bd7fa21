// CancelRun: a queued run is cancelled at once (a worker that later pulls its item drops it); a running
// one is flagged and its worker stops at the next step boundary, keeping the checkpoints it registered.
import type { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { RunStore } from '../runs/run-store';
import { finished, isTerminal } from '../runs/run-state';

export async function cancelRun(runId: string, store: RunStore): Promise<pretrain.Run> {
  const stored = await store.update(runId, ({ run, lease }) => {
    if (isTerminal(run.state) || run.cancelRequested) return undefined;
    if (run.state === common.JobState.JOB_STATE_QUEUED) {
      return { run: finished({ ...run, cancelRequested: true }, common.JobState.JOB_STATE_CANCELLED) };
    }
    return { run: { ...run, cancelRequested: true, updatedAt: new Date() }, ...(lease ? { lease } : {}) };
  });
  return stored.run;
}
