// Runs whose workers all died. A worker settles its run itself whenever it lives to see the outcome;
// when it is killed (OOM, kill -9, a node lost) on every delivery, JetStream stops delivering the item
// and no worker is left to say so, and the run would stay RUNNING forever. The API owns the records, so
// it watches for that (bus.onMaxDeliveries: the server's advisory, plus sweeps at start and periodically)
// and marks such runs FAILED with what an operator needs to look into it. Its sweeps also catch runs
// that claim to be RUNNING although their work item is gone, so nothing could ever resume them.
import { Code, HeadstartError } from '@headstart/errors';
import type { EventBus, ExhaustedWork, MaxDeliveriesWatch, WorkTypeDef } from '@headstart/events';
import { STREAMS, deadLetterSubject } from '@headstart/events';
import type { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import type { Lease, RunRecord, RunStore } from '../runs/run-store';
import { finished, isTerminal } from '../runs/run-state';

const { JobState } = common;

export interface ExhaustedRunsOptions {
  bus: EventBus;
  store: RunStore;
  workType: WorkTypeDef<pretrain.PretrainWork>;
  logger: Logger;
  /** Sweep interval (0: only at start). */
  sweepIntervalMs: number;
  /** A lease renewed within this time belongs to a live worker (the workers' own rule: 2 × ack wait). */
  staleAfterMs: number;
  /** A RUNNING run whose work item is gone and whose lease is older than this is FAILED. */
  orphanedAfterMs: number;
  now?: () => number;
}

/** The error code of a run whose workers died: the attempt was aborted from outside. */
export const WORKER_DIED_CODE = Code[Code.ABORTED];

function heartbeatText(lease: Lease | undefined): string {
  return lease
    ? `last heartbeat at ${new Date(lease.heartbeatAt).toISOString()} from worker ${lease.worker}`
    : 'no worker heartbeat was recorded';
}

export function exhaustedRunMessage(
  work: ExhaustedWork<pretrain.PretrainWork>,
  lease: Lease | undefined,
  ackWaitMs: number,
  consumer: string,
): string {
  return (
    `the worker died on each of ${work.deliveries} deliveries of this run (none acked, failed or ` +
    `heartbeated within the ${ackWaitMs / 1_000} s ack wait: killed, out of memory or hung); ` +
    `${heartbeatText(lease)}; see the worker logs. The work item is in the dead-letter queue ` +
    `(${deadLetterSubject(consumer)}, sequence ${work.deadLetter.sequence}).`
  );
}

function failRun(record: RunRecord, message: string): RunRecord {
  // A run the user had asked to cancel ends as they asked.
  const state = record.run.cancelRequested ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED;
  return { run: finished(record.run, state, { message, code: WORKER_DIED_CODE }) };
}

async function updateIfExists(store: RunStore, runId: string, fn: Parameters<RunStore['update']>[1]) {
  try {
    return await store.update(runId, fn);
  } catch (err) {
    if (err instanceof HeadstartError && err.code === Code.NOT_FOUND) return undefined;
    throw err;
  }
}

export async function watchExhaustedRuns(options: ExhaustedRunsOptions): Promise<MaxDeliveriesWatch> {
  const { bus, store, workType, logger } = options;
  const now = options.now ?? Date.now;
  const { ackWaitMs, name: consumer } = workType.consumer;

  const onExhausted = async (work: ExhaustedWork<pretrain.PretrainWork>): Promise<void> => {
    const runId = work.item.runId;
    let failed: pretrain.Run | undefined;
    await updateIfExists(store, runId, (record) => {
      const { run, lease } = record;
      if (isTerminal(run.state)) return undefined;
      // Trained through another item (e.g. a shutdown hand-back) by a live worker: not this item's run.
      const elsewhere =
        run.state === JobState.JOB_STATE_RUNNING &&
        lease !== undefined &&
        lease.streamSequence !== work.streamSequence &&
        now() - lease.heartbeatAt <= options.staleAfterMs;
      if (elsewhere) return undefined;
      const next = failRun(record, exhaustedRunMessage(work, lease, ackWaitMs, consumer));
      failed = next.run;
      return next;
    });
    if (failed)
      logger.error({ runId, seq: work.streamSequence, err: failed.error }, 'run failed: its workers died');
  };

  /** Whether the work stream still holds the item at `seq` (in flight, waiting or exhausted). */
  const itemExists = async (seq: number): Promise<boolean> => {
    try {
      await bus.jsm.streams.getMessage(STREAMS.work.name, { seq });
      return true;
    } catch (err) {
      if (/no message found/i.test(String((err as Error)?.message ?? err))) return false;
      throw err;
    }
  };

  /**
   * RUNNING runs whose lease went stale and whose work item is gone (acked by a worker that could not
   * record the outcome, purged by an operator): nothing will ever deliver them again.
   */
  const failOrphans = async (): Promise<void> => {
    const running = (await store.list()).filter((run) => run.state === JobState.JOB_STATE_RUNNING);
    for (const candidate of running) {
      const current = await store.get(candidate.id);
      const lease = current?.lease;
      if (!current || current.run.state !== JobState.JOB_STATE_RUNNING || !lease) continue;
      if (now() - lease.heartbeatAt <= options.orphanedAfterMs) continue;
      if (await itemExists(lease.streamSequence)) continue;
      let failed: pretrain.Run | undefined;
      await updateIfExists(store, candidate.id, (record) => {
        // Only the record that was checked: a new claim or heartbeat since then means someone is on it.
        if (
          record.run.state !== JobState.JOB_STATE_RUNNING ||
          record.lease?.heartbeatAt !== lease.heartbeatAt
        )
          return undefined;
        const message =
          `the run was RUNNING but its work item is gone from the queue, so nothing can resume it; ` +
          `${heartbeatText(lease)}; see the worker logs.`;
        const next = failRun(record, message);
        failed = next.run;
        return next;
      });
      if (failed) logger.error({ runId: candidate.id, err: failed.error }, 'run failed: orphaned');
    }
  };

  return bus.onMaxDeliveries(workType, onExhausted, {
    sweepIntervalMs: options.sweepIntervalMs,
    afterSweep: failOrphans,
  });
}
