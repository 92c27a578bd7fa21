// Shared set-up for this package's tests (not exported from the package).
import { registry } from '@headstart/proto';
import { startNatsServer, type NatsServerHandle } from '@headstart/testing';
import { connectEvents, type ConnectEventsOptions, type EventBus } from './bus';

export interface TestEnv {
  server: NatsServerHandle;
  bus: EventBus;
  connect(name?: string, extra?: Partial<ConnectEventsOptions>): Promise<EventBus>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real nats-server with the Headstart topology in place, and a bus connected to it. */
export async function startTestEnv(): Promise<TestEnv> {
  const server = await startNatsServer();
  const buses: EventBus[] = [];
  const connect = async (name = 'test', extra: Partial<ConnectEventsOptions> = {}): Promise<EventBus> => {
    const b = await connectEvents({ servers: server.url, name, reconnectTimeWaitMs: 100, ...extra });
    buses.push(b);
    return b;
  };
  const bus = await connect();
  await bus.ensureTopology();
  return {
    server,
    bus,
    connect,
    [Symbol.asyncDispose]: async () => {
      await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
      await server.dispose();
    },
  };
}

export function sampleVersion(id: string, version = 1): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({
    id,
    modelName: 'bert-tiny',
    kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
    version,
    artifactSha256: 'ab'.repeat(32),
    artifactSize: 1234,
    createdAt: new Date('2025-01-02T03:04:05Z'),
  });
}
