import type { RunningService } from './create-service';

/**
 * What a service opened while starting (lock, database, clients, consumers), and how to close each.
 * If the start fails, `undo` closes what was opened so far; once the gRPC server runs, `handTo` makes
 * them its shutdown hooks. Either way they close newest first, so nothing is closed under a part that
 * still uses it.
 */
export interface StartupCleanups {
  /** Records how to close something just opened. */
  add(name: string, fn: () => Promise<void> | void): void;
  /**
   * The start failed: closes everything recorded, newest first. A failure to close is ignored (the
   * start's own error is the one to report) and does not stop the others.
   */
  undo(): Promise<void>;
  /** The start succeeded: the service's shutdown closes them (its hooks run newest first). */
  handTo(service: Pick<RunningService, 'addShutdownHook'>): void;
}

export function createStartupCleanups(): StartupCleanups {
  const recorded: { name: string; fn: () => Promise<void> | void }[] = [];
  // Each of undo and handTo takes the list once, so nothing is closed twice.
  const take = () => recorded.splice(0, recorded.length);
  return {
    add: (name, fn) => {
      recorded.push({ name, fn });
    },
    undo: async () => {
      for (const { fn } of take().reverse()) {
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
      }
    },
    handTo: (service) => {
      for (const { name, fn } of take()) service.addShutdownHook(name, fn);
    },
  };
}
