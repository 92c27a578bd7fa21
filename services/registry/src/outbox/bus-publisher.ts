import type { EventBus, PublishResult } from '@headstart/events';
import { events } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { OutboxRecord } from '../storage/metadata-store';
import type { OutboxPublisher } from './outbox-relay';

export interface BusPublisherOptions {
  /** Opens a bus; called again after a failure until one attempt succeeds. */
  connect: () => Promise<EventBus>;
  logger: Logger;
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
      await bus?.close();
      bus = undefined;
    },
  };
}

/** Rows hold encoded bytes; the bus takes messages (and encodes them again with the same codec). */
function publishRecord(bus: EventBus, record: OutboxRecord): Promise<PublishResult> {
  const options = { msgId: record.msgId };
  switch (record.eventType) {
    case 'versionCreated':
      return bus.publish('versionCreated', events.VersionCreated.decode(record.payload), options);
    case 'checkpointRegistered':
      return bus.publish('checkpointRegistered', events.CheckpointRegistered.decode(record.payload), options);
    case 'aliasChanged':
      return bus.publish('aliasChanged', events.AliasChanged.decode(record.payload), options);
    case 'versionTagsChanged':
      return bus.publish('versionTagsChanged', events.VersionTagsChanged.decode(record.payload), options);
  }
}
