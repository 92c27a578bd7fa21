// A replicated NATS, tested (issue 14): a 3-node JetStream cluster on loopback, the registry and the
// pretrain API and worker creating their topology with HEADSTART_NATS_STREAM_REPLICAS=3, every stream and
// the runs bucket on 3 servers, and a tiny pre-training run whose checkpoints go registry → outbox →
// JetStream. The server leading the runs bucket is killed -9 mid-run: the run still finishes, every
// checkpoint is in the registry, and a consumer receives every checkpoint event (none lost, none twice).
import * as path from 'node:path';
import { createPretrainClient } from '@headstart/pretrain-client';
import { common } from '@headstart/proto';
import { createRegistryService } from '@headstart/registry';
import { createRegistryClient } from '@headstart/registry-client';
import { makeTempDir, startNatsCluster, waitFor } from '@headstart/testing';
import { connect, type NatsConnection } from 'nats';

import { createPretrainService } from './create-pretrain-service';
import { quietLogger, tinyRunSpec, watchMessages } from './test-support/stack';
import { useTestBackend, writeTinyShards } from './test-support/tiny-data';
import { createPretrainWorker } from './worker/create-pretrain-worker';

jest.setTimeout(120_000);

const REPLICAS = 3;
const BUCKET = 'PRETRAIN_RUNS_REPLICATED';
const CHECKPOINT_SUBJECT = 'headstart.events.registry.checkpoint_registered';

it('keeps every stream and the runs bucket on 3 servers, and loses nothing when one is killed mid-run', async () => {
  await useTestBackend();
  await using cluster = await startNatsCluster({ size: 3 });
  await using dir = await makeTempDir('replicated-nats');
  const [a, b, c] = cluster.nodes.map((n) => n.url) as [string, string, string];
  const stops: (() => Promise<void>)[] = [];
  let nc: NatsConnection | undefined;
  try {
    const registry = await createRegistryService({
      dataDir: path.join(dir.path, 'registry'),
      host: '127.0.0.1',
      port: 0,
      natsUrl: cluster.urls,
      natsStreamReplicas: REPLICAS,
      logger: quietLogger('registry'),
      drainTimeoutMs: 2_000,
      relay: { initialBackoffMs: 50, maxBackoffMs: 500, pollIntervalMs: 500 },
    });
    stops.push(() => registry.shutdown('test done'));
    const registryClient = createRegistryClient({ address: registry.address });
    stops.push(async () => registryClient.close());
    const tokenizer = await registryClient.uploadVersion(
      { modelName: 'tiny-wordpiece', kind: 'TOKENIZER' },
      Buffer.from('{"model":{"type":"WordPiece"}}'),
    );
    const shardsPath = path.join(dir.path, 'tiny.shards');
    await writeTinyShards(shardsPath);
    await registryClient.uploadVersion(
      {
        modelName: 'tiny-shards',
        kind: 'DATASET',
        parents: [{ ref: `tiny-wordpiece:${tokenizer.version}`, relation: 'tokenized_with' }],
      },
      shardsPath,
    );
    const queue = {
      subject: 'headstart.work.pretrain-replicated',
      consumer: 'pretrain-replicated',
      ackWaitMs: 5_000,
    };
    nc = await connect({ servers: [b, c, a], reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const jsm = await nc.jetstreamManager();
    // A runs bucket left with one replica by an older release: the service raises it to 3.
    await nc.jetstream().views.kv(BUCKET, { history: 1 });
    expect((await jsm.streams.info(`KV_${BUCKET}`)).config.num_replicas).toBe(1);
    const service = await createPretrainService({
      logger: quietLogger('pretrain'),
      host: '127.0.0.1',
      port: 0,
      natsUrl: a,
      natsStreamReplicas: REPLICAS,
      registryAddress: registry.address,
      runsBucket: BUCKET,
      queue,
      drainTimeoutMs: 2_000,
    });
    stops.push(() => service.shutdown('test done'));
    const client = createPretrainClient({ address: service.address });
    stops.push(async () => client.close());

    // Every stream the services created, the runs bucket's included, has 3 replicas on 3 servers.
    await waitFor(async () => (await jsm.streams.info('HEADSTART_EVENTS')).cluster?.leader, {
      message: 'the registry relay to create the events stream',
      timeoutMs: 20_000,
    });
    const streams: Record<string, number> = {};
    for await (const info of jsm.streams.list()) {
      streams[info.config.name] = info.config.num_replicas;
      expect((info.cluster?.replicas ?? []).length + 1).toBe(REPLICAS);
    }
    expect(streams).toEqual({
      HEADSTART_EVENTS: REPLICAS,
      HEADSTART_WORK: REPLICAS,
      HEADSTART_DLQ: REPLICAS,
      [`KV_${BUCKET}`]: REPLICAS,
    });

    const worker = await createPretrainWorker({
      logger: quietLogger('worker'),
      natsUrl: b,
      natsStreamReplicas: REPLICAS,
      registryAddress: registry.address,
      dataDir: path.join(dir.path, 'worker'),
      backend: 'cpu',
      runsBucket: BUCKET,
      queue,
      progressIntervalMs: 0,
      heartbeatMs: 500,
      stopGraceMs: 30_000,
    });
    stops.push(() => worker.stop('test done'));

    const maxSteps = 60;
    const run = await client.startRun(tinyRunSpec({}, { maxSteps, checkpointEvery: 10, evalEvery: 10 }));
    // Kill -9 the server leading the runs bucket once the run is training.
    const leader = (await jsm.streams.info(`KV_${BUCKET}`)).cluster?.leader ?? '';
    const victim = cluster.nodes.find((_, i) => leader.endsWith(`-${i}`)) ?? cluster.nodes[2];
    let killed: Promise<void> | undefined;
    let stepAtKill = -1;
    let killedAt = 0;
    const messages = await watchMessages(client, run.id, (message) => {
      const step = message.step;
      if (killed === undefined && step >= 5) {
        stepAtKill = step;
        killedAt = Date.now();
        killed = victim!.kill();
      }
    });
    await killed;
    // The run rode out the election instead of waiting out a failed attempt's retry backoff (10 s, 60 s).
    expect(Date.now() - killedAt).toBeLessThan(45_000);
    expect(stepAtKill).toBeGreaterThanOrEqual(5);
    expect(stepAtKill).toBeLessThan(maxSteps);
    expect(victim!.running).toBe(false);

    const finished = await client.getRun(run.id);
    expect(finished.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);
    expect(messages.at(-1)?.run?.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);

    // Every checkpoint is a registry version, and a consumer receives exactly one event for each.
    const versions = await waitFor(
      async () => {
        const found = [];
        for await (const v of registryClient.searchVersions({ modelName: 'tiny-bert' })) found.push(v);
        return found.length >= maxSteps / 10 ? found : undefined;
      },
      { message: 'the checkpoints in the registry', timeoutMs: 20_000 },
    );
    expect(versions).toHaveLength(maxSteps / 10);
    const ids = versions.map((v) => `${v.id}:checkpoint`).sort();
    // Read back from the events stream through the surviving servers: one event per version, by its
    // Nats-Msg-Id (`<version id>:checkpoint`), none missing and none twice.
    const received = await waitFor(
      async () => {
        const { state } = await jsm.streams.info('HEADSTART_EVENTS');
        const found: string[] = [];
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const message = await jsm.streams.getMessage('HEADSTART_EVENTS', { seq }).catch(() => undefined);
          if (message?.subject === CHECKPOINT_SUBJECT) found.push(message.header.get('Nats-Msg-Id'));
        }
        return found.length >= ids.length ? found : undefined;
      },
      { message: 'every checkpoint event', timeoutMs: 30_000 },
    );
    expect([...received].sort()).toEqual(ids);

    // The cluster is whole again after the node comes back, with the run record on every replica.
    await victim!.start();
    const runs = await client.listAllRuns();
    expect(runs.map((r) => [r.id, r.state])).toEqual([[run.id, common.JobState.JOB_STATE_SUCCEEDED]]);
  } finally {
    await nc?.close();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
});
