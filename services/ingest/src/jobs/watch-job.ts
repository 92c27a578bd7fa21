// WatchJob: the job at once, then every change of its record (the worker writes progress at each
// heartbeat), until it is terminal, the client goes away, or this replica stops (the stream then ends
// early and the client says so: it may watch again through another replica).
import { isTerminal } from '@headstart/jobs';
import { ingest } from '@headstart/proto';
import type { IngestJobStore } from './job-records';

function sameJob(a: ingest.Job, b: ingest.Job): boolean {
  return Buffer.from(ingest.Job.encode(a).finish()).equals(ingest.Job.encode(b).finish());
}

export async function watchJob(
  store: IngestJobStore,
  first: ingest.Job,
  send: (job: ingest.Job) => Promise<void>,
  signals: { call: AbortSignal; closing: AbortSignal },
): Promise<void> {
  const pending: ingest.Job[] = [];
  let wake: (() => void) | undefined;
  const nudge = () => wake?.();
  const watcher = await store.watch(first.id, ({ job }) => {
    pending.push(job);
    nudge();
  });
  signals.call.addEventListener('abort', nudge);
  signals.closing.addEventListener('abort', nudge);
  try {
    let job = first;
    await send(job);
    while (!isTerminal(job.state)) {
      const stopping = signals.call.aborted || signals.closing.aborted;
      if (pending.length === 0 && !stopping) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (signals.call.aborted) throw signals.call.reason;
      if (signals.closing.aborted) return;
      for (const next of pending.splice(0)) {
        // The key-value watch replays the current record first: skip what the client has seen.
        if (sameJob(next, job)) continue;
        job = next;
        await send(job);
        if (isTerminal(job.state)) break;
      }
    }
  } finally {
    signals.call.removeEventListener('abort', nudge);
    signals.closing.removeEventListener('abort', nudge);
    watcher.stop();
  }
}
