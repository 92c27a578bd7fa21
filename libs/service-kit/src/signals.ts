import type { Logger } from './logger';
import type { RunningService } from './create-service';

export interface SignalOptions {
  /** @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /** @default process.exit */
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT → graceful shutdown → exit 0 (1 if shutdown failed). A second signal exits at once
 * with 1, for the operator who does not want to wait for the drain. Only a service's main.ts calls
 * this. Returns a function that removes the handlers.
 */
export function handleSignals(
  service: Pick<RunningService, 'shutdown'>,
  logger: Logger,
  options: SignalOptions = {},
) {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      logger.warn({ signal, first: received }, 'second signal: exiting without waiting for shutdown');
      exit(1);
      return;
    }
    received = signal;
    logger.info({ signal }, 'signal received: shutting down');
    service.shutdown(`signal ${signal}`).then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return (): void => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
}
