import pino from 'pino';

import { LOG_LEVELS } from './observability-config';
import { REDACT_PATHS, REDACTED, scrubArgs, scrubError, scrubText } from './redact';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Goes into every line as `name`, e.g. the service name. */
  name: string;
  /** pino level: trace, debug, info, warn, error, fatal or silent. @default 'info' */
  level?: string;
  /** Where lines go. @default stdout (pino's synchronous-enough default destination) */
  destination?: pino.DestinationStream;
  /** Fields added to every line. */
  base?: Record<string, unknown>;
}

const LEVELS = new Set<string>(LOG_LEVELS);

/**
 * Errors with their stack; an `err` that is already text (many call sites log `errorText(err)`) stays a
 * string instead of being spread into an object of single characters.
 */
function errSerializer(err: unknown): unknown {
  if (typeof err === 'string') return scrubText(err);
  if (typeof err !== 'object' || err === null) return err;
  return scrubError(pino.stdSerializers.err(err as Error));
}

/**
 * One JSON object per line on stdout, ISO timestamps, the level as a word (log shippers and people both
 * read it), errors under `err` with their stack. Credentials are censored (redact.ts).
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (!LEVELS.has(level)) throw new Error(`unknown log level '${level}' (one of ${[...LEVELS].join(', ')})`);
  const pinoOptions: pino.LoggerOptions = {
    name: options.name,
    level,
    base: { pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: errSerializer, error: errSerializer },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        method.apply(this, scrubArgs(args) as Parameters<pino.LogFn>);
      },
    },
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}
