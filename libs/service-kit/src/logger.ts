import pino from 'pino';

import { LOG_LEVELS } from './observability-config';

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
 * One JSON object per line on stdout, ISO timestamps, the level as a word (log shippers and people both
 * read it), errors under `err` with their stack.
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
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}
