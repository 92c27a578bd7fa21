// How every service and worker joins NATS: the same connection options (its TLS, user and inbox from the
// security settings, the streams' replicas), then the topology in place. One function, so a new setting
// reaches every component at once.
import type { ConnectEventsOptions, EventBus, connectEvents as ConnectEvents } from '@headstart/events';
import type { Logger } from './logger';
import { natsSecurityOf } from './nats-security';
import type { SecuritySettings } from './security-config';

export interface ServiceBusOptions {
  natsUrl: string | string[];
  /** The connection's name on the server (the component, and the worker's name for a worker). */
  name: string;
  logger: Logger;
  security?: SecuritySettings | undefined;
  /** Replicas of the streams and buckets it creates (HEADSTART_NATS_STREAM_REPLICAS). @default 1 */
  streamReplicas?: number | undefined;
  /** Create or update the streams and consumers (topology.ts) before returning. @default true */
  ensureTopology?: boolean;
  /** Other connection options (e.g. `waitOnFirstConnect: false` for a component that starts without NATS). */
  connection?: Partial<Omit<ConnectEventsOptions, 'servers' | 'name' | 'logger' | 'streamReplicas'>>;
}

export async function connectServiceBus(options: ServiceBusOptions): Promise<EventBus> {
  // Loaded here, not at the top: importing the kit must not load the generated protobuf code the events
  // library pulls in (a service's main imports the kit before its telemetry starts; import-cost.test.ts).
  // require, not import(): the packages are CommonJS, and Jest's runtime refuses a dynamic import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { connectEvents } = require('@headstart/events') as { connectEvents: typeof ConnectEvents };
  const bus = await connectEvents({
    servers: options.natsUrl,
    name: options.name,
    logger: options.logger,
    streamReplicas: options.streamReplicas ?? 1,
    ...natsSecurityOf(options.security, options.natsUrl),
    ...options.connection,
  });
  if (options.ensureTopology === false) return bus;
  try {
    await bus.ensureTopology();
    return bus;
  } catch (err) {
    await bus.close({ graceMs: 0 }).catch(() => undefined);
    throw err;
  }
}
