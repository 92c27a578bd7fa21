// Retention of finished jobs: their records are removed once they are older than the retention period
// (the versions they registered stay in the registry). Every replica sweeps; removing twice is harmless.
import { isTerminal } from '@headstart/jobs';
import type { Logger } from '@headstart/service-kit';
import type { IngestJobStore } from './job-records';

/** Removes the jobs that finished before `now - retentionMs`; how many. */
export async function removeExpiredJobs(
  store: IngestJobStore,
  retentionMs: number,
  now = Date.now(),
): Promise<number> {
  const expired = (await store.list()).filter(
    (job) => isTerminal(job.state) && (job.finishedAt?.getTime() ?? now) < now - retentionMs,
  );
  for (const job of expired) await store.remove(job.id);
  return expired.length;
}

/** Sweeps at once and then every `intervalMs`. */
export async function startRetention(options: {
  store: IngestJobStore;
  retentionMs: number;
  intervalMs: number;
  logger: Logger;
}): Promise<{ stop(): void }> {
  const sweep = () =>
    removeExpiredJobs(options.store, options.retentionMs)
      .then(
        (removed) => removed > 0 && options.logger.info({ removed }, 'finished jobs past retention removed'),
      )
      .catch((err: unknown) => options.logger.warn({ err }, 'job retention sweep failed'));
  await sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
