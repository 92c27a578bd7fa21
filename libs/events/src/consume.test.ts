import { waitFor } from '@headstart/testing';
import { events } from '@headstart/proto';
import { DeadLetterError } from './dead-letter';
import { STREAMS, EVENT_TYPES, defineEventConsumer } from './topology';
import { sampleVersion, startTestEnv } from './test-support';

const quickRetries = { ackWaitMs: 5_000, maxDeliver: 3, backoffMs: [20, 40] };

describe('consume', () => {
  it('delivers decoded events of the consumer’s types and skips the others on its filter', async () => {
    await using env = await startTestEnv();
    const seen: string[] = [];
    const consumer = await env.bus.consume(
      defineEventConsumer({
        name: 'test-typed',
        description: 'test',
        events: ['checkpointRegistered', 'aliasChanged'],
        ...quickRetries,
      }),
      async (event, ctx) => {
        expect(ctx.eventType).toBe(event.type);
        if (event.type === 'checkpointRegistered')
          seen.push(`ckpt:${event.message.version?.id}:${event.message.final}`);
        else seen.push(`alias:${event.message.versionId}`);
      },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('v0') }, { msgId: 'v0' });
    await env.bus.publish(
      'checkpointRegistered',
      { version: sampleVersion('v1'), final: true },
      { msgId: 'v1' },
    );
    await env.bus.publish('aliasChanged', { event: undefined, versionId: 'v1' }, { msgId: 'alias-1' });
    await env.bus.publish(
      'finetuneFinished',
      { jobId: 'j', versionId: '', succeeded: true, error: '', metrics: {} },
      { msgId: 'j' },
    );
    await waitFor(() => seen.length === 2, { message: 'two matching events' });
    expect(seen).toEqual(['ckpt:v1:true', 'alias:v1']);
    await waitFor(
      async () => (await env.bus.jsm.consumers.info(STREAMS.events.name, 'test-typed')).num_ack_pending === 0,
    );
    await consumer.stop();
    expect(consumer.stats.acked).toBe(2);
  });

  it('retries a failing handler with backoff, then dead-letters it with headers describing the failure', async () => {
    await using env = await startTestEnv();
    const attempts: number[] = [];
    const consumer = await env.bus.consume(
      defineEventConsumer({
        name: 'test-failing',
        description: 'test',
        events: ['versionCreated'],
        ...quickRetries,
      }),
      async (_event, ctx) => {
        attempts.push(ctx.deliveryCount);
        throw new Error(`boom on attempt ${ctx.deliveryCount}\nsecond line`);
      },
    );
    const message = { version: sampleVersion('ver-dlq') };
    const { seq } = await env.bus.publish('versionCreated', message, {
      msgId: 'ver-dlq',
      headers: { 'Headstart-Origin': 'test' },
    });
    const [dead] = await waitFor(async () => {
      const letters = await env.bus.readDeadLetters('test-failing');
      return letters.length > 0 ? letters : undefined;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead).toMatchObject({
      subject: EVENT_TYPES.versionCreated.subject,
      stream: STREAMS.events.name,
      streamSequence: seq,
      consumer: 'test-failing',
      deliveries: 3,
      reason: 'max_deliveries',
      error: 'boom on attempt 3 second line',
      msgId: 'ver-dlq',
    });
    expect(dead?.headers['Headstart-Origin']).toBe('test');
    expect(events.VersionCreated.decode(dead?.data ?? new Uint8Array())).toEqual(message);
    // Terminated, not left pending: no further attempts happen.
    await waitFor(async () => {
      const info = await env.bus.jsm.consumers.info(STREAMS.events.name, 'test-failing');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    await consumer.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(consumer.stats).toMatchObject({ retried: 2, deadLettered: 1, acked: 0 });
  });

  it('dead-letters an undecodable (poison) message without calling the handler', async () => {
    await using env = await startTestEnv();
    let calls = 0;
    await env.bus.consume(
      defineEventConsumer({
        name: 'test-poison',
        description: 'test',
        events: ['versionCreated'],
        ...quickRetries,
      }),
      async () => {
        calls++;
      },
    );
    // Field 1, length 5, but only one byte follows.
    await env.bus.js.publish(EVENT_TYPES.versionCreated.subject, new Uint8Array([0x0a, 0x05, 0x01]), {
      msgID: 'poison-1',
    });
    await env.bus.publish('versionCreated', { version: sampleVersion('fine') }, { msgId: 'fine' });
    const [dead] = await waitFor(async () => {
      const letters = await env.bus.readDeadLetters('test-poison');
      return letters.length > 0 ? letters : undefined;
    });
    expect(dead).toMatchObject({
      reason: 'decode_failed',
      deliveries: 1,
      msgId: 'poison-1',
      streamSequence: 1,
    });
    await waitFor(() => calls === 1, { message: 'the good message is still handled' });
  });

  it('dead-letters at once when the handler throws DeadLetterError', async () => {
    await using env = await startTestEnv();
    await env.bus.consume(
      defineEventConsumer({
        name: 'test-reject',
        description: 'test',
        events: ['versionCreated'],
        ...quickRetries,
      }),
      async () => {
        throw new DeadLetterError('dataset version does not exist');
      },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('r') }, { msgId: 'r' });
    const [dead] = await waitFor(async () => {
      const letters = await env.bus.readDeadLetters('test-reject');
      return letters.length > 0 ? letters : undefined;
    });
    expect(dead).toMatchObject({
      reason: 'rejected',
      deliveries: 1,
      error: 'dataset version does not exist',
    });
  });

  // ackWait 1 s; the handler runs 3 s. concurrency 2 so a redelivery would reach the idle slot.
  const slow = {
    description: 'test',
    events: ['versionCreated'] as const,
    ackWaitMs: 1_000,
    maxDeliver: 5,
    backoffMs: [],
  };

  it('does not redeliver a slow handler that heartbeats with working()', async () => {
    await using env = await startTestEnv();
    const deliveries: number[] = [];
    const consumer = await env.bus.consume(
      defineEventConsumer({ name: 'test-heartbeat', ...slow }),
      async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        const beat = setInterval(() => ctx.working(), 250);
        try {
          await new Promise((resolve) => setTimeout(resolve, 3_000)); // the work itself, 3x ackWait
        } finally {
          clearInterval(beat);
        }
      },
      { concurrency: 2 },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('slow') }, { msgId: 'slow' });
    await waitFor(() => consumer.stats.acked === 1, { timeoutMs: 10_000 });
    const info = await env.bus.jsm.consumers.info(STREAMS.events.name, 'test-heartbeat');
    expect(info.num_redelivered).toBe(0);
    expect(deliveries).toEqual([1]);
  });

  it('does heartbeat automatically with autoHeartbeat', async () => {
    await using env = await startTestEnv();
    const deliveries: number[] = [];
    const consumer = await env.bus.consume(
      defineEventConsumer({ name: 'test-auto-heartbeat', ...slow }),
      async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      },
      { concurrency: 2, autoHeartbeat: true },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('slow') }, { msgId: 'slow' });
    await waitFor(() => consumer.stats.acked === 1, { timeoutMs: 10_000 });
    expect(deliveries).toEqual([1]);
    expect(
      (await env.bus.jsm.consumers.info(STREAMS.events.name, 'test-auto-heartbeat')).num_redelivered,
    ).toBe(0);
  });

  it('redelivers a slow handler that does not heartbeat (the control)', async () => {
    await using env = await startTestEnv();
    const deliveries: number[] = [];
    await env.bus.consume(
      defineEventConsumer({ name: 'test-no-heartbeat', ...slow }),
      async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) await waitFor(() => deliveries.length > 1, { timeoutMs: 10_000 });
      },
      { concurrency: 2 },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('slow') }, { msgId: 'slow' });
    await waitFor(() => deliveries.length >= 2, { timeoutMs: 10_000 });
    expect(deliveries.slice(0, 2)).toEqual([1, 2]);
  });

  it('stop() waits for in-flight handlers and aborts them after the grace period', async () => {
    await using env = await startTestEnv();
    let started = false;
    let aborted = false;
    const consumer = await env.bus.consume(
      defineEventConsumer({
        name: 'test-stop',
        description: 'test',
        events: ['versionCreated'],
        ...quickRetries,
      }),
      async (_event, ctx) => {
        started = true;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        aborted = true;
        throw new Error('aborted');
      },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('s') }, { msgId: 's' });
    await waitFor(() => started);
    await consumer.stop({ graceMs: 50 });
    expect(aborted).toBe(true);
    expect(consumer.stats).toMatchObject({ inFlight: 0, retried: 1, deadLettered: 0 });
  });
});

describe('consumer lifecycle', () => {
  it('recreates its durable consumer when someone deletes it', async () => {
    await using env = await startTestEnv();
    const got: string[] = [];
    await env.bus.consume(
      defineEventConsumer({
        name: 'test-deleted',
        description: 'test',
        events: ['versionCreated'],
        ...quickRetries,
      }),
      async (event) => {
        if (event.type === 'versionCreated') got.push(event.message.version?.id ?? '');
      },
      { pullExpiresMs: 1_000, retryPauseMs: 50 },
    );
    await env.bus.publish('versionCreated', { version: sampleVersion('a') }, { msgId: 'a' });
    await waitFor(() => got.includes('a'));
    await env.bus.jsm.consumers.delete(STREAMS.events.name, 'test-deleted');
    await env.bus.publish('versionCreated', { version: sampleVersion('b') }, { msgId: 'b' });
    await waitFor(() => got.includes('b'), {
      timeoutMs: 15_000,
      message: 'delivery through the recreated consumer',
    });
    expect((await env.bus.jsm.consumers.info(STREAMS.events.name, 'test-deleted')).config.durable_name).toBe(
      'test-deleted',
    );
  });
});
