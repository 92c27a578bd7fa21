import { formatJobState } from '@headstart/ingest-client';
import type { ingest } from '@headstart/proto';
import { formatBytes } from './format';
import type { Output } from './output';

/** Redraws at most this often. */
const REDRAW_INTERVAL_MS = 100;
const BAR_CELLS = 24;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 75 → "1m15s", 3 → "3s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One line for a job's state, e.g. `merging [##########..............] 42% 12,600/30,000 tokens ETA 14s`,
 * or `queued`, `succeeded`, `failed: ...`.
 */
export function describeProgress(job: ingest.Job): string {
  const state = formatJobState(job.state);
  if (state !== 'running') return job.error === '' ? state : `${state}: ${job.error}`;
  const p = job.progress;
  const phase = job.phase === '' ? 'running' : job.phase;
  if (p === undefined) return phase;
  // Byte counts read best as sizes ("3.0 MiB"); anything else as a count and its unit.
  const amount = (n: number): string => (p.unit === 'bytes' ? formatBytes(n) : count(n));
  const unit = p.unit === 'bytes' || p.unit === '' ? '' : ` ${p.unit}`;
  if (p.total <= 0) return p.done > 0 ? `${phase} ${amount(p.done)}${unit}` : phase;
  const fraction = Math.min(1, p.done / p.total);
  const filled = Math.round(fraction * BAR_CELLS);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}]`;
  const eta = p.etaSeconds > 0 ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${phase} ${bar} ${Math.floor(fraction * 100)}%  ${amount(p.done)}/${amount(p.total)}${unit}${eta}`;
}

export interface JobProgressReporter {
  update(job: ingest.Job): void;
  finish(): void;
}

/** A job meter on stderr (terminals only): `<label>  <progress>`, redrawn in place. */
export function createJobProgressReporter(out: Output, label: string, now = Date.now): JobProgressReporter {
  let lastDraw = 0;
  let last: ingest.Job | undefined;
  let drawn = false;
  const draw = (done: boolean): void => {
    if (last === undefined) return;
    drawn = true;
    out.progress(`${label}  ${describeProgress(last)}`, done);
  };
  return {
    update(job) {
      const changedState = last?.state !== job.state || last?.phase !== job.phase;
      last = job;
      const t = now();
      if (!changedState && t - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = t;
      draw(false);
    },
    finish() {
      if (drawn) draw(true);
    },
  };
}
