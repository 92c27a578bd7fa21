import type { NatsConnection } from 'nats';
import type { EventsLogger } from './logger';

export interface ConnectionState {
  readonly connected: boolean;
  /**
   * Resolves once connected (at once if already) or when `signal` aborts; rejects after `timeoutMs`
   * (no limit when undefined) or when the connection is closed.
   */
  whenConnected(timeoutMs?: number, signal?: AbortSignal): Promise<void>;
  /** Calls `listener` after every reconnect; returns the function that removes it. */
  onReconnect(listener: () => void): () => void;
}

/**
 * Follows the connection's status events. Requests written while disconnected are buffered by nats.js
 * and their replies can be lost across the reconnect, so publishes and pulls wait for the reconnect
 * instead of being sent into the buffer.
 */
export function trackConnection(nc: NatsConnection, logger: EventsLogger): ConnectionState {
  let connected = true;
  let waiters: Array<() => void> = [];
  const reconnectListeners = new Set<() => void>();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        logger.warn({ server: s.data }, 'NATS disconnected; reconnecting');
      } else if (s.type === 'reconnect') {
        connected = true;
        logger.info({ server: s.data }, 'NATS reconnected');
        const ready = waiters;
        waiters = [];
        for (const wake of ready) wake();
        for (const listener of reconnectListeners) listener();
      } else if (s.type === 'error') {
        logger.error({ err: String(s.data) }, 'NATS connection error');
      }
    }
  })().catch(() => undefined);

  return {
    onReconnect: (listener) => {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    get connected() {
      return connected && !nc.isClosed();
    },
    whenConnected: (timeoutMs, signal) => {
      if (nc.isClosed()) return Promise.reject(new Error('NATS connection is closed'));
      if (connected || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                signal?.removeEventListener('abort', done);
                waiters = waiters.filter((w) => w !== done);
                reject(new Error(`NATS is disconnected (still reconnecting after ${timeoutMs} ms)`));
              }, timeoutMs);
        waiters.push(done);
        signal?.addEventListener('abort', done);
      });
    },
  };
}
