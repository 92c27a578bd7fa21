// Live training progress travels on core NATS (not JetStream): headstart.progress.pretrain.<runId>.
// Progress is a stream of snapshots, each superseding the last, so a lost message costs nothing and
// nothing needs storing; what must survive (state, step, checkpoints) is in the run record instead.
import { pretrain } from '@headstart/proto';
import type { NatsConnection, Subscription } from 'nats';

export const PROGRESS_SUBJECT_PREFIX = 'headstart.progress.pretrain';

export function progressSubject(runId: string): string {
  return `${PROGRESS_SUBJECT_PREFIX}.${runId}`;
}

export function publishProgress(nc: NatsConnection, progress: pretrain.RunProgress): void {
  // Best effort by design: while disconnected, nats.js buffers it or drops it, and both are fine.
  nc.publish(progressSubject(progress.runId), pretrain.RunProgress.encode(progress).finish());
}

/** Calls `onProgress` for every report of `runId` until the subscription is unsubscribed. */
export function subscribeProgress(
  nc: NatsConnection,
  runId: string,
  onProgress: (progress: pretrain.RunProgress) => void,
): Subscription {
  return nc.subscribe(progressSubject(runId), {
    callback: (err, msg) => {
      if (err) return;
      try {
        onProgress(pretrain.RunProgress.decode(msg.data));
      } catch {
        // A malformed report is skipped: the next one supersedes it anyway.
      }
    },
  });
}
