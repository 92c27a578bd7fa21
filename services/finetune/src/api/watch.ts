import type { finetune } from '@headstart/proto';
import type { ServerStreamContext } from '@headstart/service-kit';
import type { JobEvents } from '../jobs/job-events';
import type { JobService } from '../jobs/job-service';
import { isFinished } from '../jobs/job-service';

/**
 * WatchFinetune: the job now, then every change until it is terminal (or the client goes away). Changes
 * that arrive while a message is being sent are coalesced: the stream always ends on the latest state.
 */
export async function watchJob(
  id: string,
  jobs: JobService,
  events: JobEvents,
  ctx: ServerStreamContext<finetune.WatchFinetuneResponse>,
): Promise<void> {
  let latest: finetune.Finetune | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = events.subscribe(id, (job) => {
    latest = job;
    wake?.();
  });
  const aborted = new Promise<void>((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    let current = jobs.get(id);
    await ctx.send({ finetune: current });
    while (!isFinished(current) && !ctx.signal.aborted) {
      if (!latest) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
        continue;
      }
      current = latest;
      latest = undefined;
      await ctx.send({ finetune: current });
    }
  } finally {
    unsubscribe();
  }
}
