import { ingest } from '@headstart/proto';

/** What a running job reports; every field is optional and sticks until changed. */
export interface ProgressUpdate {
  /** A new phase resets done/total/unit and the ETA's time base. */
  phase?: string;
  /** Unit of done/total: documents, bytes, merges... */
  unit?: string;
  done?: number;
  total?: number;
  documentsDone?: number;
  documentsTotal?: number;
  bytesDone?: number;
  bytesTotal?: number;
  tokensDone?: number;
}

export interface LiveJobOptions {
  /** Watchers see progress at most this often; state changes reach them at once. */
  notifyIntervalMs: number;
  /** Progress is written to the store at most this often (state changes at once). */
  persistIntervalMs: number;
  persist: (job: ingest.Job) => void;
  now: () => number;
}

/** A deep copy, so a snapshot handed to a watcher never changes under it. */
export function snapshot(job: ingest.Job): ingest.Job {
  return ingest.Job.decode(ingest.Job.encode(job).finish());
}

/**
 * A queued or running job in memory: its current state, its abort controller while it runs, and the
 * watchers waiting for its next change. Progress calls are cheap (they touch memory only); watchers and
 * the store are updated at a bounded rate.
 */
export class LiveJob {
  controller: AbortController | undefined;
  settled: Promise<void> | undefined;
  private version = 0;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastNotifyMs = 0;
  private lastPersistMs = 0;
  private phaseStartedMs = 0;

  constructor(
    readonly job: ingest.Job,
    private readonly options: LiveJobOptions,
  ) {}

  get changeCount(): number {
    return this.version;
  }

  /** A state change: persisted and announced now. */
  commit(): void {
    this.options.persist(this.job);
    this.lastPersistMs = this.options.now();
    this.notify();
  }

  progress(update: ProgressUpdate): void {
    const job = this.job;
    const now = this.options.now();
    job.progress ??= { done: 0, total: 0, unit: '', etaSeconds: 0 };
    const p = job.progress;
    if (update.phase !== undefined && update.phase !== job.phase) {
      job.phase = update.phase;
      this.phaseStartedMs = now;
      Object.assign(p, { done: 0, total: 0, unit: '', etaSeconds: 0 });
    }
    if (update.unit !== undefined) p.unit = update.unit;
    if (update.done !== undefined) p.done = update.done;
    if (update.total !== undefined) p.total = update.total;
    if (update.documentsDone !== undefined) job.documentsDone = update.documentsDone;
    if (update.documentsTotal !== undefined) job.documentsTotal = update.documentsTotal;
    if (update.bytesDone !== undefined) job.bytesDone = update.bytesDone;
    if (update.bytesTotal !== undefined) job.bytesTotal = update.bytesTotal;
    if (update.tokensDone !== undefined) job.tokensDone = update.tokensDone;
    // Linear extrapolation within the phase; 0 while it cannot be told.
    const elapsed = (now - this.phaseStartedMs) / 1000;
    p.etaSeconds = p.done > 0 && p.total > p.done ? (elapsed * (p.total - p.done)) / p.done : 0;
    if (now - this.lastPersistMs >= this.options.persistIntervalMs) {
      this.options.persist(job);
      this.lastPersistMs = now;
    }
    this.scheduleNotify(now);
  }

  resetProgress(phase: string): void {
    Object.assign(this.job, {
      phase,
      progress: { done: 0, total: 0, unit: '', etaSeconds: 0 },
      documentsDone: 0,
      documentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      tokensDone: 0,
    });
    this.phaseStartedMs = this.options.now();
  }

  private scheduleNotify(now: number): void {
    const wait = this.lastNotifyMs + this.options.notifyIntervalMs - now;
    if (wait <= 0) this.notify();
    else this.timer ??= setTimeout(() => this.notify(), wait);
  }

  notify(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastNotifyMs = this.options.now();
    this.version++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once the job has changed since `seen` (a `changeCount`), or the signal aborts. */
  changedSince(seen: number, signal: AbortSignal): Promise<void> {
    if (this.version > seen) return Promise.resolve();
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(signal.reason);
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
