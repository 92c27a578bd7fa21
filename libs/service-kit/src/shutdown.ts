import type * as grpc from '@grpc/grpc-js';
import type { Logger } from './logger';

export interface ShutdownHook {
  name: string;
  fn: () => Promise<void> | void;
}

function withinTime<T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  return Promise.race([work.then((value) => ({ done: true as const, value })), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * Lets in-flight calls finish for up to `drainTimeoutMs`, then cancels what is left. tryShutdown alone
 * can wait forever on a stream whose client vanished (grpc-node #1458), hence the forced second step.
 * Returns true when every call finished on its own.
 */
export async function drainServer(
  server: grpc.Server,
  drainTimeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const outcome = await withinTime(drained, drainTimeoutMs);
  if (outcome.done) return true;
  logger.warn({ drainTimeoutMs }, 'calls still running at the drain time limit; cancelling them');
  server.forceShutdown();
  return false;
}

/** Waits (bounded) for handlers to finish their clean-up after their calls ended. */
export async function settleHandlers(
  running: ReadonlySet<Promise<unknown>>,
  graceMs: number,
  logger: Logger,
) {
  if (running.size === 0) return;
  const outcome = await withinTime(Promise.allSettled([...running]), graceMs);
  if (!outcome.done)
    logger.warn({ still: running.size, graceMs }, 'handlers still running after their calls ended');
}

/** Runs hooks newest first (close what was opened last first); one failing does not stop the rest. */
export async function runShutdownHooks(hooks: readonly ShutdownHook[], logger: Logger): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const hook of [...hooks].reverse()) {
    try {
      await hook.fn();
      logger.debug({ hook: hook.name }, 'shutdown hook done');
    } catch (err) {
      logger.error({ hook: hook.name, err }, 'shutdown hook failed');
      failures.push(err);
    }
  }
  return failures;
}
