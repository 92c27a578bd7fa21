import type { TransferProgress } from '@headstart/registry-client';
import { formatBytes } from './format';
import type { Output } from './output';

/** Redraws at most this often: a terminal does not need more, and a fast transfer would flood it. */
const REDRAW_INTERVAL_MS = 100;

export interface ProgressReporter {
  update(progress: TransferProgress): void;
  finish(): void;
}

/** A one-line transfer meter on stderr (terminals only), e.g. `downloading bert:3  12.0 MiB / 40.0 MiB  30%`. */
export function createProgressReporter(
  out: Output,
  verb: string,
  label: string,
  now = Date.now,
): ProgressReporter {
  let lastDraw = 0;
  let last: TransferProgress = { bytes: 0, totalBytes: undefined };
  let drawn = false;
  const text = (): string => {
    const total = last.totalBytes;
    if (total === undefined) return `${verb} ${label}  ${formatBytes(last.bytes)}`;
    const percent = total === 0 ? 100 : Math.floor((last.bytes / total) * 100);
    return `${verb} ${label}  ${formatBytes(last.bytes)} / ${formatBytes(total)}  ${percent}%`;
  };
  return {
    update(progress) {
      last = progress;
      const t = now();
      if (t - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = t;
      drawn = true;
      out.progress(text());
    },
    finish() {
      if (drawn) out.progress(text(), true);
    },
  };
}
