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
 * temp dir, outbox relayed to NATS) and the ingest service (job records and work queue on that NATS),
 * both on port 0, with clients of each; more ingest replicas on demand.
 */
export interface IngestFixture {
  readonly nats: NatsServerHandle;
  readonly registryClient: RegistryClient;
  /** A directory for the test's own files. */
  readonly work: TempDir;
  /** The ingest service's data directory. */
  readonly ingestDir: string;
  readonly registryAddress: string;
  ingest: IngestServiceHandle;
  client: IngestClient;
  /** Shuts the ingest service down (as on SIGTERM) and starts a new one on the same data directory. */
  restartIngest(): Promise<void>;
  /** Another ingest replica on the same NATS and registry (its own data directory), stopped by close(). */
  startReplica(options?: Partial<IngestServiceOptions>): Promise<IngestServiceHandle>;
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
  const replicas: { service: IngestServiceHandle; dir: TempDir }[] = [];
  const startIngest = (dataDir = ingestDir.path, extra: Partial<IngestServiceOptions> = {}) =>
    createIngestService({
      dataDir,
      registryAddress: registry.address,
      natsUrl: nats.url,
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 1_000,
      progressIntervalMs: 50,
      logger,
      ...options,
      ...extra,
    });
  const registryClient = createRegistryClient({ address: registry.address });
  const fixture: IngestFixture = {
    nats,
    registryClient,
    work,
    ingestDir: ingestDir.path,
    registryAddress: registry.address,
    ingest: await startIngest(),
    client: undefined as unknown as IngestClient,
    async restartIngest() {
      fixture.client.close();
      await fixture.ingest.shutdown('test restart');
      fixture.ingest = await startIngest();
      fixture.client = createIngestClient({ address: fixture.ingest.address });
    },
    async startReplica(extra = {}) {
      const dir = await makeTempDir('ingest-it-replica');
      const service = await startIngest(dir.path, extra);
      replicas.push({ service, dir });
      return service;
    },
    async close() {
      fixture.client.close();
      registryClient.close();
      await fixture.ingest.shutdown('test done');
      for (const replica of replicas) {
        await replica.service.shutdown('test done');
        await replica.dir.remove();
      }
      await registry.shutdown('test done');
      await nats.dispose();
      for (const dir of [registryDir, ingestDir, work]) await dir.remove();
    },
  };
  fixture.client = createIngestClient({ address: fixture.ingest.address });
  return fixture;
}

/** Random words, one line of 40 each, about `bytes` long: tokenizer training on it takes a second or two. */
export function randomCorpus(bytes: number): string {
  let s = 17;
  const next = (n: number): number => {
    // A 32-bit LCG in exact integer arithmetic (a float product would lose bits and cycle early, and
    // the corpus's duplicate lines would be dropped), its high bits used.
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const words = Array.from({ length: 20000 }, () =>
    Array.from({ length: 3 + next(8) }, () => String.fromCharCode(97 + next(26))).join(''),
  );
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = Array.from({ length: 40 }, () => words[next(words.length)]!).join(' ');
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}
