// Progress log lines for long jobs: at most one every `intervalMs`, and at every phase change.
import type { Logger } from '@headstart/service-kit';

export interface ProgressThrottle {
  /** Logs when the phase changed or `intervalMs` passed since the last line. */
  report(phase: string, fields: Record<string, unknown>, message: string): void;
}

export function progressThrottle(logger: Logger, intervalMs = 5_000): ProgressThrottle {
  let lastPhase: string | undefined;
  let lastAt = 0;
  return {
    report(phase, fields, message) {
      const now = Date.now();
      if (phase === lastPhase && now - lastAt < intervalMs) return;
      lastPhase = phase;
      lastAt = now;
      logger.info(fields, message);
    },
  };
}

/** `12.3 %` of done/total, or undefined when the total is unknown. */
export function percent(done: number, total: number): string | undefined {
  return total > 0 ? `${((100 * done) / total).toFixed(1)} %` : undefined;
}
