// Closes the gap between "recorded" and "queued": StartRun writes the record, then enqueues; if the
// enqueue failed (NATS down at that moment) the run would wait forever. The sweep enqueues every QUEUED
// run again with its run id as Nats-Msg-Id: the stream drops it while the first publish is within the
// dedupe window, and a worker drops a second item for a run that is already claimed.
import type { Logger } from '@headstart/service-kit';
import { common } from '@headstart/proto';
import type { RunStore } from '../runs/run-store';

export interface QueuedSweepOptions {
  store: RunStore;
  enqueue(runId: string): Promise<void>;
  logger: Logger;
  /** 0 disables the sweep. */
  intervalMs: number;
}

export async function requeueQueuedRuns(
  store: RunStore,
  enqueue: (runId: string) => Promise<void>,
  olderThanMs: number,
): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  const queued = (await store.list()).filter(
    (run) => run.state === common.JobState.JOB_STATE_QUEUED && (run.updatedAt?.getTime() ?? 0) <= cutoff,
  );
  for (const run of queued) await enqueue(run.id);
  return queued.length;
}

export function startQueuedSweep(options: QueuedSweepOptions): { stop(): void } {
  if (options.intervalMs <= 0) return { stop: () => undefined };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    requeueQueuedRuns(options.store, options.enqueue, options.intervalMs)
      .then((n) => n > 0 && options.logger.debug({ runs: n }, 'queued runs enqueued again'))
      .catch((err: unknown) => options.logger.warn({ err: String(err) }, 'queued-run sweep failed'))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
