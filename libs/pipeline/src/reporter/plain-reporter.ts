// The reporter where no one watches a terminal (CI, Kubernetes, a pipe, `--log-format json`): JSON log
// lines, one when a stage starts and one when it ends, and for long work one at every tenth of it (or
// every `intervalMs` while its total is unknown), instead of one every few seconds.
import type { Logger } from '@headstart/service-kit';

import type { ProgressFields, Reporter, TaskReporter } from './reporter';

export interface PlainReporterOptions {
  /** Log lines of work with an unknown total at most this often. @default 15 s */
  intervalMs?: number;
  now?: () => number;
}

function definedFields(fields: ProgressFields | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

export function createPlainReporter(logger: Logger, options: PlainReporterOptions = {}): Reporter {
  const intervalMs = options.intervalMs ?? 15_000;
  const now = options.now ?? Date.now;
  let stageLogger = logger;
  return {
    stageStarted(stage, index) {
      stageLogger = logger.child({ stage });
      stageLogger.info(`stage ${index}: ${stage}`);
    },
    stageFinished(stage, seconds) {
      stageLogger.info({ seconds: +seconds.toFixed(1) }, `stage ${stage} done`);
      stageLogger = logger;
    },
    task(label): TaskReporter {
      const log = stageLogger;
      let lastTenth = -1;
      let lastTotal = 0;
      let lastAt = -Infinity;
      let ended = false;
      return {
        progress(done, total, fields, message) {
          if (ended) return;
          const t = now();
          // A new total (the next phase of an ingest job) starts counting tenths again.
          if (total !== lastTotal) lastTenth = -1;
          lastTotal = total;
          if (total > 0) {
            const tenth = Math.floor((10 * Math.min(done, total)) / total);
            if (tenth <= lastTenth) return;
            lastTenth = tenth;
          } else if (t - lastAt < intervalMs) {
            return;
          }
          lastAt = t;
          const percent = total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : undefined;
          log.info(
            { task: label, done, total: total > 0 ? total : undefined, percent, ...definedFields(fields) },
            message ?? (percent === undefined ? `${label}: ${done}` : `${label}: ${percent}%`),
          );
        },
        done() {
          ended = true;
        },
      };
    },
    note(text) {
      logger.info(text);
    },
    close: () => undefined,
  };
}
