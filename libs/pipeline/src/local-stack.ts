import * as path from 'node:path';

import { createRegistryService, type RegistryServiceHandle } from '@headstart/registry';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { startNatsServer, type NatsServerHandle } from '@headstart/testing';

export interface LocalStackOptions {
  /** Root of every local file: `nats/` (JetStream store), `registry/` (SQLite + blobs), `work/`. */
  home: string;
  /** Use this NATS instead of starting a local nats-server. */
  natsUrl?: string;
  logger: Logger;
}

/** The embedded-defaults deployment: one nats-server process, every service in this process. */
export interface LocalStack {
  readonly home: string;
  readonly natsUrl: string;
  readonly registryAddress: string;
  readonly registry: RegistryClient;
  shutdown(): Promise<void>;
}

/**
 * Starts a local nats-server (JetStream store under `home`, kept across runs, on a free port) unless a
 * URL is given, then the registry on a free port. Every service is shut down in reverse start order.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { home, logger } = options;
  const stops: Array<() => Promise<void>> = [];
  const shutdown = async (): Promise<void> => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
  };
  try {
    let natsUrl = options.natsUrl;
    if (natsUrl === undefined) {
      const nats: NatsServerHandle = await startNatsServer({ storeDir: path.join(home, 'nats') });
      stops.push(() => nats.stop());
      natsUrl = nats.url;
      logger.info({ natsUrl, storeDir: nats.storeDir }, 'local nats-server started');
    }
    const registryService: RegistryServiceHandle = await createRegistryService({
      dataDir: path.join(home, 'registry'),
      host: '127.0.0.1',
      port: 0,
      natsUrl,
      logger: logger.child({ service: 'registry' }),
    });
    stops.push(() => registryService.shutdown('pipeline finished'));
    const registryAddress = `127.0.0.1:${registryService.port}`;
    const registry = createRegistryClient({ address: registryAddress });
    stops.push(async () => registry.close());
    logger.info({ registryAddress }, 'registry started');
    return { home, natsUrl, registryAddress, registry, shutdown };
  } catch (err) {
    await shutdown();
    throw err;
  }
}
