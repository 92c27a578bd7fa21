import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

import Database from 'better-sqlite3';

import { connectEvents, defineEventConsumer, STREAMS } from '@headstart/events';
import type { events } from '@headstart/proto';
import { registry } from '@headstart/proto';
import type { NatsServerHandle } from '@headstart/testing';
import { makeTempDir, startNatsServer, waitFor } from '@headstart/testing';

import type { TestRegistry } from './registry-test-fixture';
import { call, meta, ref, startTestRegistry, upload } from './registry-test-fixture';

interface Delivered {
  msgId: string;
  type: string;
  streamSequence: number;
  message: unknown;
}

/** Reads every registry event in the stream with a fresh durable consumer. */
async function readAllEvents(url: string): Promise<{ delivered: Delivered[]; storedMessages: number }> {
  const bus = await connectEvents({ servers: url, name: 'test-reader' });
  try {
    const storedMessages = (await bus.jsm.streams.info(STREAMS.events.name)).state.messages;
    const delivered: Delivered[] = [];
    const consumer = await bus.consume(
      defineEventConsumer({
        name: `reader-${randomBytes(4).toString('hex')}`,
        description: 'test reader',
        events: ['versionCreated', 'checkpointRegistered', 'aliasChanged', 'versionTagsChanged'],
        ackWaitMs: 30_000,
        maxDeliver: 5,
        backoffMs: [100],
        deliverPolicy: 'all',
      }),
      async (event, ctx) => {
        delivered.push({
          msgId: ctx.msgId ?? '',
          type: event.type,
          streamSequence: ctx.streamSequence,
          message: event.message,
        });
      },
    );
    await waitFor(() => delivered.length >= storedMessages, { message: `${storedMessages} deliveries` });
    await consumer.stop();
    return { delivered, storedMessages };
  } finally {
    await bus.close();
  }
}

/** msgId → distinct stream sequences it was stored under (exactly-once means one each). */
function copiesPerMsgId(delivered: Delivered[]): Map<string, number> {
  const seqs = new Map<string, Set<number>>();
  for (const d of delivered) seqs.set(d.msgId, (seqs.get(d.msgId) ?? new Set()).add(d.streamSequence));
  return new Map([...seqs].map(([id, set]) => [id, set.size]));
}

function pending(r: TestRegistry): Promise<number> {
  return r.handle.registry.metadata.countPendingOutbox();
}

describe('transactional outbox delivery to JetStream', () => {
  let nats: NatsServerHandle;

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(() => nats.dispose());

  it('delivers every event exactly once across a nats-server restart, in commit order', async () => {
    await using dir = await makeTempDir('registry-outbox');
    const r = await startTestRegistry(dir.path, { natsUrl: nats.url });
    try {
      const first = await upload(r.client, meta('corpus'), Buffer.from('c1'));
      await waitFor(async () => (await pending(r)) === 0, { message: 'first event published' });

      await nats.stop();
      // The registry keeps accepting writes while NATS is down: events wait in the outbox.
      const second = await upload(r.client, meta('corpus'), Buffer.from('c2'));
      const base = await upload(
        r.client,
        meta('bert', {
          kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
          metadata: { final: 'true' },
          parents: [{ ref: ref('corpus', 2), relation: 'trained_on' }],
        }),
        Buffer.from('weights'),
      );
      await call(r.client, r.client.setAlias, {
        modelName: 'bert',
        alias: 'production',
        version: 1,
        overrideProtection: false,
        actor: 'ci',
        reason: 'first model',
      });
      await call(r.client, r.client.setTags, {
        target: { $case: 'version', version: ref('bert', 1) },
        add: ['reviewed'],
        remove: [],
      });
      await waitFor(() => (r.handle.relay?.failures ?? 0) > 0, { message: 'relay to hit the outage' });
      expect(await pending(r)).toBe(5);

      await nats.start();
      await waitFor(async () => (await pending(r)) === 0, { timeoutMs: 20_000, message: 'outbox drained' });

      const { delivered, storedMessages } = await readAllEvents(nats.url);
      const baseId = base.version!.id;
      const ordered = [...new Map(delivered.map((d) => [d.streamSequence, d])).values()]
        .sort((a, b) => a.streamSequence - b.streamSequence)
        .map((d) => [d.type, d.msgId.replace(/^(tags:[^:]+):.*$/, '$1').replace(/^alias:\d+$/, 'alias')]);
      expect(ordered).toEqual([
        ['versionCreated', first.version!.id],
        ['versionCreated', second.version!.id],
        ['versionCreated', baseId],
        ['checkpointRegistered', `${baseId}:checkpoint`],
        ['aliasChanged', 'alias'],
        ['versionTagsChanged', `tags:${baseId}`],
      ]);
      expect(storedMessages).toBe(6);
      expect([...copiesPerMsgId(delivered).values()]).toEqual([1, 1, 1, 1, 1, 1]);
      const checkpoint = delivered.find((d) => d.type === 'checkpointRegistered')!
        .message as events.CheckpointRegistered;
      expect(checkpoint.final).toBe(true);
      expect(checkpoint.version?.parents[0]).toMatchObject({
        modelName: 'corpus',
        version: 2,
        relation: 'trained_on',
      });
    } finally {
      await r.stop();
    }
  });

  it('delivers events left pending by a registry that stopped while NATS was down', async () => {
    await using dir = await makeTempDir('registry-restart');
    await nats.stop();
    const down = await startTestRegistry(dir.path, { natsUrl: nats.url });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++)
        ids.push((await upload(down.client, meta('ckpt'), randomBytes(100))).version!.id);
      await waitFor(() => (down.handle.relay?.failures ?? 0) > 0, { message: 'relay to fail' });
      expect(await pending(down)).toBe(3);
    } finally {
      await down.stop();
    }

    await nats.start();
    const up = await startTestRegistry(dir.path, { natsUrl: nats.url });
    try {
      await waitFor(async () => (await pending(up)) === 0, {
        message: 'pending rows delivered after restart',
      });
    } finally {
      await up.stop();
    }
    const { delivered, storedMessages } = await readAllEvents(nats.url);
    expect(storedMessages).toBe(3);
    expect(delivered.map((d) => d.msgId)).toEqual(ids);
  });

  it('does not double an event when the relay publishes it again after a crash before marking it', async () => {
    await using dir = await makeTempDir('registry-republish');
    const first = await startTestRegistry(dir.path, { natsUrl: nats.url });
    try {
      for (let i = 0; i < 4; i++) await upload(first.client, meta('dedupe'), randomBytes(64));
      await waitFor(async () => (await pending(first)) === 0, { message: 'all published' });
    } finally {
      await first.stop();
    }
    // What a crash between the broker's ack and the UPDATE leaves: rows acknowledged but not marked.
    const db = new Database(path.join(dir.path, 'registry.db'));
    expect(db.prepare('UPDATE outbox SET published_at = NULL').run().changes).toBe(4);
    db.close();

    const second = await startTestRegistry(dir.path, { natsUrl: nats.url });
    try {
      await waitFor(async () => (await pending(second)) === 0, { message: 'republished' });
    } finally {
      await second.stop();
    }
    const { delivered, storedMessages } = await readAllEvents(nats.url);
    expect(storedMessages).toBe(4);
    expect([...copiesPerMsgId(delivered).values()]).toEqual([1, 1, 1, 1]);
  });
});
