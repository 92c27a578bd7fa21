// In-process notifications of record changes: of studies (for WatchStudy), and of jobs (fed by the job
// store's watch, job-changes.ts) for the study coordinator, which follows every job change.
import type { finetune } from '@headstart/proto';

export type ChangeListener<T> = (record: T) => void;

export class ChangeEvents<T extends { id: string }> {
  private readonly listeners = new Map<string, Set<ChangeListener<T>>>();
  private readonly everyChange = new Set<ChangeListener<T>>();

  /** Calls `listener` with every later version of record `id`; returns the unsubscribe function. */
  subscribe(id: string, listener: ChangeListener<T>): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** Calls `listener` with every change of any record; returns the unsubscribe function. */
  subscribeAll(listener: ChangeListener<T>): () => void {
    this.everyChange.add(listener);
    return () => this.everyChange.delete(listener);
  }

  emit(record: T): void {
    for (const listener of this.listeners.get(record.id) ?? []) listener(record);
    for (const listener of this.everyChange) listener(record);
  }
}

export class JobEvents extends ChangeEvents<finetune.Finetune> {}
export class StudyEvents extends ChangeEvents<finetune.Study> {}
