import type { finetune } from '@headstart/proto';
import type { ServerStreamContext } from '@headstart/service-kit';
import { isTerminal } from '@headstart/jobs';
import type { ChangeEvents } from '../jobs/job-events';
import type { JobService } from '../jobs/job-service';
import { isFinished } from '../jobs/job-service';

/** Starts calling `listener` with changes of one record; resolves with the unsubscribe function. */
type Subscribe<T> = (listener: (record: T) => void) => Promise<() => void>;

/**
 * A record now, then every change until it is terminal (or the client goes away). `current` reads the
 * record after the subscription started (so that no change is missed); undefined when the subscription
 * itself delivers the current record first. Changes that arrive while a message is being sent are
 * coalesced: the stream always ends on the latest state.
 */
export async function watchRecord<T>(
  subscribe: Subscribe<T>,
  current: (() => Promise<T>) | undefined,
  done: (record: T) => boolean,
  send: (record: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let latest: T | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = await subscribe((record) => {
    latest = record;
    wake?.();
  });
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    let record: T | undefined = current ? await current() : undefined;
    if (record !== undefined) await send(record);
    while ((record === undefined || !done(record)) && !signal.aborted) {
      if (latest === undefined) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
        continue;
      }
      record = latest;
      latest = undefined;
      await send(record);
    }
  } finally {
    unsubscribe();
  }
}

/** WatchFinetune: the job store's watch of the record (its current version first, then each change). */
export async function watchJob(
  id: string,
  jobs: JobService,
  ctx: ServerStreamContext<finetune.WatchFinetuneResponse>,
): Promise<void> {
  await jobs.get(id); // NOT_FOUND for an unknown job
  return watchRecord<finetune.Finetune>(
    async (listener) => {
      const watch = await jobs.store.watch(id, (record) => listener(record.job));
      return () => watch.stop();
    },
    undefined,
    isFinished,
    (job) => ctx.send({ finetune: job }),
    ctx.signal,
  );
}

/** WatchStudy: `current` reads the study with its trials, whose changes arrive as study changes. */
export function watchStudy(
  id: string,
  current: () => Promise<finetune.Study>,
  events: ChangeEvents<finetune.Study>,
  ctx: ServerStreamContext<finetune.WatchStudyResponse>,
): Promise<void> {
  return watchRecord(
    async (listener) => events.subscribe(id, listener),
    current,
    (study) => isTerminal(study.state),
    (study) => ctx.send({ study }),
    ctx.signal,
  );
}
