import * as os from 'node:os';

/**
 * The signal a long-running command (`headstart up`) stops on: the first SIGINT or SIGTERM aborts it,
 * so it stops gracefully; the second exits at once (128 + the signal number, as a shell reports it),
 * because a user pressing Ctrl-C again does not want to wait. Installed only when a command asks, so
 * every other command keeps Node's default: Ctrl-C ends it.
 */
export function processStopSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (os.constants.signals[signal] ?? 0));
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
