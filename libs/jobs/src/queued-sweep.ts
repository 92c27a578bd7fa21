// Closes the gap between "recorded" and "queued": an API writes the record, then enqueues; if the enqueue
// failed (NATS down at that moment) the job would wait forever. The sweep enqueues every QUEUED job again
// with its id as Nats-Msg-Id: the stream drops it while the first publish is within the dedupe window,
// and a worker drops a second item for a job that is already claimed.
import type { EventsLogger } from '@headstart/events';
import { common } from '@headstart/proto';
import type { JobFields } from './job';
import type { JobStore } from './job-store';

export interface QueuedSweepOptions<J extends JobFields> {
  store: JobStore<J>;
  enqueue(id: string): Promise<void>;
  logger: EventsLogger;
  /** 0 disables the sweep. */
  intervalMs: number;
}

/** Enqueues again every job QUEUED for at least `olderThanMs`; how many. */
export async function requeueQueuedJobs<J extends JobFields>(
  store: JobStore<J>,
  enqueue: (id: string) => Promise<void>,
  olderThanMs: number,
): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  const queued = (await store.list()).filter(
    (job) => job.state === common.JobState.JOB_STATE_QUEUED && (job.updatedAt?.getTime() ?? 0) <= cutoff,
  );
  for (const job of queued) await enqueue(job.id);
  return queued.length;
}

export function startQueuedSweep<J extends JobFields>(options: QueuedSweepOptions<J>): { stop(): void } {
  if (options.intervalMs <= 0) return { stop: () => undefined };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    requeueQueuedJobs(options.store, options.enqueue, options.intervalMs)
      .then((n) => n > 0 && options.logger.debug({ jobs: n }, 'queued jobs enqueued again'))
      .catch((err: unknown) => options.logger.warn({ err: String(err) }, 'queued-job sweep failed'))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
