// In-process notifications of job changes, for WatchFinetune streams.
import type { finetune } from '@headstart/proto';

export type JobListener = (job: finetune.Finetune) => void;

export class JobEvents {
  private readonly listeners = new Map<string, Set<JobListener>>();

  /** Calls `listener` with every later version of job `id`; returns the unsubscribe function. */
  subscribe(id: string, listener: JobListener): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  emit(job: finetune.Finetune): void {
    for (const listener of this.listeners.get(job.id) ?? []) listener(job);
  }
}
