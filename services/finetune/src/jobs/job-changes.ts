// Every change of any job record, seen by the API: workers write the records themselves, so the study
// coordinator (which follows its trials' jobs) learns of them from a watch of the job store's bucket.
import { decodeJobRecord } from '@headstart/jobs';
import { finetune } from '@headstart/proto';
import { KvWatchInclude, type JetStreamClient } from 'nats';
import type { JobEvents } from './job-events';
import { FINETUNE_JOBS_BUCKET } from './job-store';

/** Emits each later version of every job record into `events` until stop(). */
export async function watchJobChanges(js: JetStreamClient, events: JobEvents): Promise<{ stop(): void }> {
  const kv = await js.views.kv(FINETUNE_JOBS_BUCKET, { bindOnly: true });
  // The records' keys are libs/jobs' `jobs.<id>` (its idempotency keys are not jobs).
  const changes = await kv.watch({ key: 'jobs.>', include: KvWatchInclude.UpdatesOnly });
  void (async () => {
    for await (const entry of changes) {
      if (entry.operation === 'PUT') events.emit(decodeJobRecord(finetune.Finetune, entry.value).job);
    }
  })().catch(() => undefined);
  return { stop: () => changes.stop() };
}
