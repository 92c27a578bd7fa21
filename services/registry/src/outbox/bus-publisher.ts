import type { EventBus, PublishResult } from '@headstart/events';
import { traceContextFromHeaders } from '@headstart/events';
import type { Logger } from '@headstart/service-kit';

import type { OutboxRecord } from '../storage/metadata-store';
import type { OutboxPublisher } from './outbox-relay';

export interface BusPublisherOptions {
  /** Opens a bus; called again after a failure until one attempt succeeds. */
  connect: () => Promise<EventBus>;
  logger: Logger;
  /** How long `close()` waits for the bus to drain before closing the connection. @default 5000 */
  closeTimeoutMs?: number;
}

export interface BusPublisher {
  publish: OutboxPublisher;
  /** Closes the bus if one was opened. */
  close(): Promise<void>;
}

/**
 * Publishes outbox rows on the events bus. The connection is opened on first use and retried by
 * the relay's backoff, so the registry starts and accepts writes while NATS is down. Once connected,
 * the bus reconnects by itself and publishes wait (bounded) for the connection.
 */
export function createBusPublisher(options: BusPublisherOptions): BusPublisher {
  let bus: EventBus | undefined;
  let connecting: Promise<EventBus> | undefined;
  let closed = false;

  const ready = async (): Promise<EventBus> => {
    if (bus) return bus;
    connecting ??= (async () => {
      const opened = await options.connect();
      try {
        await opened.ensureTopology();
      } catch (err) {
        await opened.close().catch(() => undefined);
        throw err;
      }
      if (closed) {
        await opened.close();
        throw new Error('publisher closed');
      }
      options.logger.info('connected to the events bus');
      bus = opened;
      return opened;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const publish = async (record: OutboxRecord): Promise<void> => {
    if (closed) throw new Error('publisher closed');
    const target = await ready();
    const result = await publishRecord(target, record);
    if (result.duplicate) {
      options.logger.debug(
        { msgId: record.msgId, seq: result.seq },
        'event was already published (deduplicated)',
      );
    }
  };

  return {
    publish,
    close: async () => {
      closed = true;
      await connecting?.catch(() => undefined);
      const open = bus;
      bus = undefined;
      if (!open) return;
      // Draining needs the server; while NATS is down it could wait for a reconnect that never comes.
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        open.close().then(() => true),
        new Promise<false>(
          (resolve) => (timer = setTimeout(() => resolve(false), options.closeTimeoutMs ?? 5_000)),
        ),
      ]).finally(() => clearTimeout(timer));
      if (!drained) {
        options.logger.warn('events bus did not drain in time; closing the NATS connection');
        await open.nc.close();
      }
    },
  };
}

/**
 * Rows hold the encoded event, published unchanged, as a child of the trace of the request that
 * wrote the row (so a consumer's span joins that request's trace, however late the relay runs).
 */
function publishRecord(bus: EventBus, record: OutboxRecord): Promise<PublishResult> {
  return bus.publishEncoded(record.eventType, record.payload, {
    msgId: record.msgId,
    parent: traceContextFromHeaders(record.trace),
  });
}
