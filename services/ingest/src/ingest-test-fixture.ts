import { createIngestClient, type IngestClient } from '@headstart/ingest-client';
import { createRegistryService } from '@headstart/registry';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import {
  createIngestService,
  type IngestServiceHandle,
  type IngestServiceOptions,
} from './create-ingest-service';

/**
 * The real stack for integration tests: a nats-server on a free port, a registry (SQLite and blobs in a
 * temp dir, outbox relayed to NATS) and the ingest service, both on port 0, with clients of each.
 */
export interface IngestFixture {
  readonly nats: NatsServerHandle;
  readonly registryClient: RegistryClient;
  /** A directory for the test's own files. */
  readonly work: TempDir;
  /** The ingest service's data directory. */
  readonly ingestDir: string;
  ingest: IngestServiceHandle;
  client: IngestClient;
  /** Shuts the ingest service down (as on SIGTERM) and starts a new one on the same data directory. */
  restartIngest(): Promise<void>;
  close(): Promise<void>;
}

const logger = createLogger({ name: 'ingest-it', level: 'silent' });

export async function startIngestFixture(
  options: Partial<IngestServiceOptions> = {},
): Promise<IngestFixture> {
  const nats = await startNatsServer();
  const registryDir = await makeTempDir('ingest-it-registry');
  const ingestDir = await makeTempDir('ingest-it-ingest');
  const work = await makeTempDir('ingest-it-work');
  const registry = await createRegistryService({
    dataDir: registryDir.path,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 2_000,
    logger,
  });
  const startIngest = () =>
    createIngestService({
      dataDir: ingestDir.path,
      registryAddress: registry.address,
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 1_000,
      notifyIntervalMs: 20,
      logger,
      ...options,
    });
  const registryClient = createRegistryClient({ address: registry.address });
  const fixture: IngestFixture = {
    nats,
    registryClient,
    work,
    ingestDir: ingestDir.path,
    ingest: await startIngest(),
    client: undefined as unknown as IngestClient,
    async restartIngest() {
      fixture.client.close();
      await fixture.ingest.shutdown('test restart');
      fixture.ingest = await startIngest();
      fixture.client = createIngestClient({ address: fixture.ingest.address });
    },
    async close() {
      fixture.client.close();
      registryClient.close();
      await fixture.ingest.shutdown('test done');
      await registry.shutdown('test done');
      await nats.dispose();
      for (const dir of [registryDir, ingestDir, work]) await dir.remove();
    },
  };
  fixture.client = createIngestClient({ address: fixture.ingest.address });
  return fixture;
}
