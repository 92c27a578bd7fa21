/** The subset of a pino logger this library uses; a pino logger fits as is. */
export interface DatasetsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
export const silentLogger: DatasetsLogger = { info: noop, warn: noop };

/** A step of the build, for progress displays. */
export interface BuildProgress {
  /** 'pretrain-corpus' | 'spam-assassin' | 'dictionary-domains' | 'manifest'. */
  readonly target: string;
  /** What is happening: 'load', 'extract', 'write', 'skip', 'done'. */
  readonly phase: string;
  readonly message: string;
  readonly done?: number;
  readonly total?: number;
}

export type ProgressListener = (progress: BuildProgress) => void;
