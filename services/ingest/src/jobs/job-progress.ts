// A running job's progress in memory: runners report as often as they like, the worker copies it into
// the job record at each heartbeat.
import type { ingest } from '@headstart/proto';
import type { ProgressUpdate } from './job-runner';

type ProgressFields = Pick<
  ingest.Job,
  'phase' | 'progress' | 'documentsDone' | 'documentsTotal' | 'bytesDone' | 'bytesTotal' | 'tokensDone'
>;

export class JobProgress {
  private fields: ProgressFields;
  private phaseStartedMs: number;

  constructor(
    phase: string,
    private readonly now: () => number = Date.now,
  ) {
    this.phaseStartedMs = now();
    this.fields = {
      phase,
      progress: { done: 0, total: 0, unit: '', etaSeconds: 0 },
      documentsDone: 0,
      documentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      tokensDone: 0,
    };
  }

  update(update: ProgressUpdate): void {
    const f = this.fields;
    const p = (f.progress ??= { done: 0, total: 0, unit: '', etaSeconds: 0 });
    const now = this.now();
    if (update.phase !== undefined && update.phase !== f.phase) {
      f.phase = update.phase;
      this.phaseStartedMs = now;
      Object.assign(p, { done: 0, total: 0, unit: '', etaSeconds: 0 });
    }
    if (update.unit !== undefined) p.unit = update.unit;
    if (update.done !== undefined) p.done = update.done;
    if (update.total !== undefined) p.total = update.total;
    for (const key of ['documentsDone', 'documentsTotal', 'bytesDone', 'bytesTotal', 'tokensDone'] as const) {
      if (update[key] !== undefined) f[key] = update[key];
    }
    // Linear extrapolation within the phase; 0 while it cannot be told.
    const elapsed = (now - this.phaseStartedMs) / 1000;
    p.etaSeconds = p.done > 0 && p.total > p.done ? (elapsed * (p.total - p.done)) / p.done : 0;
  }

  /** The job with this progress (a copy: the record never shares objects with the runner). */
  applyTo(job: ingest.Job): ingest.Job {
    return { ...job, ...this.fields, progress: this.fields.progress && { ...this.fields.progress } };
  }
}
