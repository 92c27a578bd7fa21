import type { Logger } from '@headstart/service-kit';

import type { OutboxRecord, OutboxStore } from '../storage/metadata-store';

/** Publishes one outbox row; resolves once the broker acknowledged it (or reported it a duplicate). */
export type OutboxPublisher = (record: OutboxRecord) => Promise<void>;

export interface OutboxRelayOptions {
  store: OutboxStore;
  publish: OutboxPublisher;
  logger: Logger;
  /** Rows read per query. @default 100 */
  batchSize?: number;
  /** Safety-net poll when nothing wakes the relay (commits wake it at once). @default 5000 */
  pollIntervalMs?: number;
  /** First pause after a failed publish; doubles per failure. @default 200 */
  initialBackoffMs?: number;
  /** Longest pause between attempts while the broker is down. @default 10000 */
  maxBackoffMs?: number;
  /** Published rows are deleted after this long. @default 7 days */
  retentionMs?: number;
}

export interface OutboxRelay {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Tells the relay new rows are waiting: it publishes them without waiting for the next poll. */
  wake(): void;
  /** Stops after the publish in flight, if any. Rows not yet published stay for the next start. */
  stop(): Promise<void>;
  /** Consecutive failed publishes (0 while healthy). */
  readonly failures: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Relays outbox rows to the broker strictly in commit order: a row is marked published only after
 * the broker's ack, and a failed row blocks the ones after it (so consumers never see a checkpoint
 * before the dataset it was trained on). Duplicates after a crash between ack and mark are dropped
 * by the broker, because each row carries a fixed Nats-Msg-Id.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { store, publish, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 5_000;
  const initialBackoffMs = options.initialBackoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const retentionMs = options.retentionMs ?? 7 * DAY_MS;

  let loop: Promise<void> | undefined;
  let stopped = false;
  let woken = false;
  let interrupt: (() => void) | undefined;
  let failures = 0;
  let lastPrune = 0;

  /** Sleeps until woken, stopped, or `ms` passed. A wake that came in while busy ends it at once. */
  const pause = (ms: number, wakeable: boolean): Promise<void> => {
    if (stopped || (wakeable && woken)) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interrupt = () => {
        if (stopped || wakeable) done();
      };
    });
  };

  const publishBatch = async (rows: OutboxRecord[]): Promise<boolean> => {
    for (const row of rows) {
      if (stopped) return true;
      try {
        await publish(row);
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        await store.recordOutboxFailure(row.seq, message).catch(() => undefined);
        const log = { seq: row.seq, msgId: row.msgId, eventType: row.eventType, failures, err: message };
        if (failures === 1) logger.warn(log, 'outbox publish failed; retrying with backoff');
        else logger.debug(log, 'outbox publish failed again');
        return false;
      }
      await store.markOutboxPublished(row.seq, new Date());
      if (failures > 0) logger.info({ failures, seq: row.seq }, 'outbox relay recovered');
      failures = 0;
      logger.debug({ seq: row.seq, msgId: row.msgId, eventType: row.eventType }, 'outbox event published');
    }
    return true;
  };

  const pruneIfDue = async (): Promise<void> => {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const removed = await store.pruneOutbox(new Date(Date.now() - retentionMs));
    if (removed) logger.debug({ removed }, 'pruned published outbox rows');
  };

  const run = async (): Promise<void> => {
    let backoffMs = initialBackoffMs;
    while (!stopped) {
      try {
        woken = false;
        const rows = await store.pendingOutbox(batchSize);
        if (rows.length === 0) {
          await pruneIfDue();
          await pause(pollIntervalMs, true);
          continue;
        }
        if (await publishBatch(rows)) {
          backoffMs = initialBackoffMs;
          continue;
        }
      } catch (err) {
        logger.error({ err }, 'outbox relay failed to read or update the outbox');
      }
      // Backoff is not cut short by wakes: more commits do not make the broker come back sooner.
      await pause(backoffMs, false);
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
  };

  return {
    start: () => {
      if (loop || stopped) return;
      loop = run();
    },
    wake: () => {
      woken = true;
      interrupt?.();
    },
    stop: async () => {
      stopped = true;
      interrupt?.();
      await loop;
    },
    get failures() {
      return failures;
    },
  };
}
