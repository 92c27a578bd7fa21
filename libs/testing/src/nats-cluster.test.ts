import { connect, StringCodec } from 'nats';
import { startNatsCluster } from './nats-cluster';
import { waitFor } from './wait-for';

const sc = StringCodec();

it('starts a 3-node JetStream cluster whose replicated stream survives a node killed -9', async () => {
  await using cluster = await startNatsCluster();
  expect(cluster.nodes).toHaveLength(3);
  expect(new Set(cluster.urls).size).toBe(3);
  const nc = await connect({ servers: cluster.urls, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
    expect(info.config.num_replicas).toBe(3);
    const js = nc.jetstream();
    await js.publish('r3.a', sc.encode('before'));
    const leader = (await jsm.streams.info('R3')).cluster?.leader ?? '';
    const victim = cluster.nodes.find((_, i) => leader.endsWith(`-${i}`));
    expect(victim).toBeDefined();
    await victim!.kill();
    // A new leader is elected among the two left; the publish is tried again until it is.
    const ack = await waitFor(
      () => js.publish('r3.b', sc.encode('after'), { msgID: 'after', timeout: 2_000 }),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        message: 'a publish to the stream after the kill',
      },
    );
    expect(ack.seq).toBe(2);
    expect((await jsm.streams.info('R3')).state.messages).toBe(2);
  } finally {
    await nc.close();
  }
});
