import type { finetune } from '@headstart/proto';
import type { ServerStreamContext } from '@headstart/service-kit';
import type { ChangeEvents, JobEvents } from '../jobs/job-events';
import type { JobService } from '../jobs/job-service';
import { isFinished } from '../jobs/job-service';
import { isTerminal } from '../store/finetune-store';

/**
 * A record now, then every change until it is terminal (or the client goes away). Changes that arrive
 * while a message is being sent are coalesced: the stream always ends on the latest state.
 */
export async function watchRecord<T extends { id: string }>(
  id: string,
  current: () => T,
  done: (record: T) => boolean,
  events: ChangeEvents<T>,
  send: (record: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let latest: T | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = events.subscribe(id, (record) => {
    latest = record;
    wake?.();
  });
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    let record = current();
    await send(record);
    while (!done(record) && !signal.aborted) {
      if (!latest) {
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

/** WatchFinetune. */
export function watchJob(
  id: string,
  jobs: JobService,
  events: JobEvents,
  ctx: ServerStreamContext<finetune.WatchFinetuneResponse>,
): Promise<void> {
  return watchRecord(
    id,
    () => jobs.get(id),
    isFinished,
    events,
    (job) => ctx.send({ finetune: job }),
    ctx.signal,
  );
}

/** WatchStudy: `current` reads the study with its trials, whose changes arrive as study changes. */
export function watchStudy(
  id: string,
  current: () => finetune.Study,
  events: ChangeEvents<finetune.Study>,
  ctx: ServerStreamContext<finetune.WatchStudyResponse>,
): Promise<void> {
  return watchRecord(
    id,
    current,
    (study) => isTerminal(study.state),
    events,
    (study) => ctx.send({ study }),
    ctx.signal,
  );
}
