import { nanos, RetentionPolicy, StorageType } from 'nats';
import { events } from '@headstart/proto';
import { STREAMS, EVENT_TYPES, EVENT_CONSUMERS, WORK_TYPES } from './topology';
import { sampleVersion, startTestEnv } from './test-support';

describe('publish', () => {
  it('deduplicates by msgId: the second publish is reported as a duplicate and stores nothing', async () => {
    await using env = await startTestEnv();
    const message = { version: sampleVersion('ver-1'), final: true };
    const first = await env.bus.publish('checkpointRegistered', message, { msgId: 'ver-1' });
    const second = await env.bus.publish('checkpointRegistered', message, { msgId: 'ver-1' });
    expect(first).toEqual({ stream: STREAMS.events.name, seq: 1, duplicate: false });
    expect(second).toEqual({ stream: STREAMS.events.name, seq: 1, duplicate: true });
    const other = await env.bus.publish('checkpointRegistered', message, { msgId: 'ver-2' });
    expect(other.duplicate).toBe(false);
    expect(other.seq).toBe(2);

    const info = await env.bus.jsm.streams.info(STREAMS.events.name);
    expect(info.state.messages).toBe(2);
    const stored = await env.bus.jsm.streams.getMessage(STREAMS.events.name, { seq: 1 });
    expect(stored.subject).toBe(EVENT_TYPES.checkpointRegistered.subject);
    expect(stored.header.get('Nats-Msg-Id')).toBe('ver-1');
    expect(events.CheckpointRegistered.decode(stored.data)).toEqual(message);
  });

  it('fails loudly while the server is down and succeeds once it is back', async () => {
    await using env = await startTestEnv();
    await env.server.stop();
    await expect(
      env.bus.publish(
        'versionCreated',
        { version: sampleVersion('v-down') },
        { msgId: 'v-down', timeoutMs: 300 },
      ),
    ).rejects.toThrow();
    await env.server.start();
    const ack = await env.bus.publish(
      'versionCreated',
      { version: sampleVersion('v-down') },
      { msgId: 'v-down' },
    );
    expect(ack.seq).toBe(1);
  });

  it('passes custom headers through', async () => {
    await using env = await startTestEnv();
    await env.bus.publish(
      'finetuneFinished',
      { jobId: 'job-1', versionId: '', succeeded: false, error: 'diverged', metrics: {} },
      { msgId: 'job-1', headers: { 'Headstart-Origin': 'unit-test' } },
    );
    const stored = await env.bus.jsm.streams.getMessage(STREAMS.events.name, { seq: 1 });
    expect(stored.header.get('Headstart-Origin')).toBe('unit-test');
  });
});

describe('ensureTopology', () => {
  it('creates the streams and consumers as defined, and a second run changes nothing', async () => {
    await using env = await startTestEnv();
    const { jsm } = env.bus;

    const eventsInfo = await jsm.streams.info(STREAMS.events.name);
    expect(eventsInfo.config.subjects).toEqual(['headstart.events.>']);
    expect(eventsInfo.config.retention).toBe(RetentionPolicy.Limits);
    expect(eventsInfo.config.storage).toBe(StorageType.File);
    expect(eventsInfo.config.duplicate_window).toBe(nanos(24 * 3600_000));
    expect(eventsInfo.config.max_age).toBe(nanos(30 * 24 * 3600_000));
    expect((await jsm.streams.info(STREAMS.work.name)).config.retention).toBe(RetentionPolicy.Workqueue);
    expect((await jsm.streams.info(STREAMS.dlq.name)).config.subjects).toEqual(['headstart.dlq.>']);

    const triggers = await jsm.consumers.info(STREAMS.events.name, 'finetune-triggers');
    expect(triggers.config.ack_wait).toBe(nanos(EVENT_CONSUMERS['finetune-triggers'].ackWaitMs));
    // nats-server 2.9 has no multi-filter consumers: one covering filter, the rest is skipped client-side.
    const filters = triggers.config.filter_subjects ?? [triggers.config.filter_subject];
    for (const subject of filters) expect(subject?.startsWith('headstart.events.registry.')).toBe(true);
    for (const work of Object.values(WORK_TYPES)) {
      const info = await jsm.consumers.info(STREAMS.work.name, work.consumer.name);
      expect(info.config.filter_subject).toBe(work.subject);
    }

    const streamsBefore = await Promise.all(Object.values(STREAMS).map((s) => jsm.streams.info(s.name)));
    const consumerBefore = await jsm.consumers.info(STREAMS.events.name, 'finetune-triggers');
    await env.bus.ensureTopology();
    const streamsAfter = await Promise.all(Object.values(STREAMS).map((s) => jsm.streams.info(s.name)));
    const consumerAfter = await jsm.consumers.info(STREAMS.events.name, 'finetune-triggers');
    expect(streamsAfter.map((s) => s.config)).toEqual(streamsBefore.map((s) => s.config));
    expect(streamsAfter.map((s) => s.created)).toEqual(streamsBefore.map((s) => s.created));
    expect(consumerAfter.config).toEqual(consumerBefore.config);
    expect(consumerAfter.created).toBe(consumerBefore.created);
  });

  it('puts drifted settings back and keeps the data', async () => {
    await using env = await startTestEnv();
    const { jsm } = env.bus;
    await env.bus.publish('versionCreated', { version: sampleVersion('keep-me') }, { msgId: 'keep-me' });
    const stream = await jsm.streams.info(STREAMS.events.name);
    await jsm.streams.update(STREAMS.events.name, { ...stream.config, max_age: nanos(60 * 24 * 3600_000) });
    await jsm.consumers.update(STREAMS.events.name, 'finetune-triggers', { ack_wait: nanos(1_000) });

    await env.bus.ensureTopology();
    const repaired = await jsm.streams.info(STREAMS.events.name);
    expect(repaired.config.max_age).toBe(nanos(30 * 24 * 3600_000));
    expect(repaired.state.messages).toBe(1);
    const consumer = await jsm.consumers.info(STREAMS.events.name, 'finetune-triggers');
    expect(consumer.config.ack_wait).toBe(nanos(EVENT_CONSUMERS['finetune-triggers'].ackWaitMs));
  });
});
