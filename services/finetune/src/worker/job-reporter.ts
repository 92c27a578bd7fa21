// Progress reports from a running job to the API: throttled, best effort (a report that fails is dropped;
// the next one carries the newer state), and the way a worker learns that its job was cancelled.
import { finetune } from '@headstart/proto';
import type { ControlClient } from '../control/control-client';

export interface JobReporter {
  /** Sends now if `force` or the interval has passed; resolves with whether the job should stop. */
  report(progress: Partial<finetune.FinetuneProgress>, force?: boolean): Promise<boolean>;
  /** The data facts sent with every report of this attempt (labels, counts, warnings). */
  setDataFacts(facts: Partial<finetune.FinetuneProgress>): void;
}

export function createJobReporter(
  control: ControlClient,
  ids: { finetuneId: string; worker: string },
  intervalMs: number,
  onError: (err: unknown) => void,
): JobReporter {
  let last = 0;
  let facts: Partial<finetune.FinetuneProgress> = {};
  // Reports are partial (a step, an evaluation); the API stores what it receives, so each one carries
  // the latest value of every field. `dev` belongs to the report that brings it only.
  let current: Partial<finetune.FinetuneProgress> = {};
  let stop = false;
  return {
    setDataFacts: (f) => {
      facts = f;
    },
    report: async (progress, force = false) => {
      const { dev, ...rest } = progress;
      current = { ...current, ...rest };
      const now = Date.now();
      if (!force && now - last < intervalMs) return stop;
      last = now;
      try {
        const ack = await control.progress(
          finetune.FinetuneProgress.fromPartial({
            ...facts,
            ...current,
            ...(dev ? { dev } : {}),
            finetuneId: ids.finetuneId,
            worker: ids.worker,
          }),
        );
        stop = ack.cancelRequested;
      } catch (err) {
        onError(err);
      }
      return stop;
    },
  };
}
