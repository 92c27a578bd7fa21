/** The subset of a pino logger the events library uses; a pino logger fits as is. */
export interface EventsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
export const silentLogger: EventsLogger = { debug: noop, info: noop, warn: noop, error: noop };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
