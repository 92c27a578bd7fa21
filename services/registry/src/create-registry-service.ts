import * as path from 'node:path';

import { captureTraceHeaders } from '@headstart/events';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import {
  createLogger,
  createService,
  createStartupCleanups,
  lockDataDir,
  connectServiceBus,
} from '@headstart/service-kit';

import { Registry } from './core/registry';
import { createGrpcRegistryHandlers } from './grpc/registry-handlers';
import { registryRpcRoles } from './grpc/rpc-roles';
import { registryServiceDefinition } from './grpc/service-definition';
import { createBusPublisher } from './outbox/bus-publisher';
import type { OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay';
import { createOutboxRelay } from './outbox/outbox-relay';
import { FsBlobStore } from './storage/fs-blob-store';
import { SqliteMetadataStore } from './storage/sqlite/sqlite-metadata-store';

/** 8 GiB: room for a base model with its optimizer state; raise it for bigger artifacts. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 8 * 1024 ** 3;
/** 512 KiB: large enough to amortise per-message costs, small enough to keep memory flat. */
export const DEFAULT_DOWNLOAD_CHUNK_BYTES = 512 * 1024;
export const DEFAULT_REGISTRY_PORT = 50051;

export interface RegistryServiceOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  /** Holds `registry.db` (SQLite) and `blobs/` (artifacts). Created when missing; one registry per directory. */
  dataDir: string;
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port (see `port` of the result). @default 50051 */
  port?: number;
  /** NATS servers for the outbox relay. Unset: no relay, events wait in the outbox. */
  natsUrl?: string | string[];
  /** Replicas of the JetStream streams the relay creates (3 on a production cluster). @default 1 */
  natsStreamReplicas?: number;
  /** Timeout of one publish (and JetStream API call) of the relay. @default 5000 */
  natsTimeoutMs?: number;
  /** Largest artifact accepted (RESOURCE_EXHAUSTED beyond). @default 8 GiB */
  maxArtifactBytes?: number;
  /** Largest gRPC message accepted, i.e. the largest upload chunk. @default the kit's 8 MiB */
  maxReceiveMessageBytes?: number;
  /** @default 512 KiB */
  downloadChunkBytes?: number;
  /** How long shutdown lets calls finish. @default the kit's 10 s */
  drainTimeoutMs?: number;
  logger?: Logger;
  /** Tuning of the outbox relay (poll interval, backoff, retention). */
  relay?: Omit<OutboxRelayOptions, 'store' | 'publish' | 'logger'>;
}

export interface RegistryServiceHandle {
  readonly port: number;
  /** `host:port` as bound. */
  readonly address: string;
  readonly service: RunningService;
  readonly registry: Registry;
  /** Undefined when no NATS URL was given. */
  readonly relay: OutboxRelay | undefined;
  /** Drains calls, stops the relay, closes the bus, the database and the data directory lock. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts the registry in this process: locks the data directory, opens the stores, removes what a
 * crash left behind, starts the outbox relay and the gRPC server (with health and reflection).
 */
export async function createRegistryService(options: RegistryServiceOptions): Promise<RegistryServiceHandle> {
  const logger = options.logger ?? createLogger({ name: 'registry' });
  const dataDir = path.resolve(options.dataDir);
  const cleanups = createStartupCleanups();
  try {
    // Two registries on one data directory would garbage-collect each other's uploads at start and race
    // on the same blobs.
    const lock = await lockDataDir(dataDir, { fileName: 'LOCK', holder: 'registry' });
    cleanups.add('data directory lock', () => lock.release());
    const metadata = SqliteMetadataStore.open({
      file: path.join(dataDir, 'registry.db'),
      traceHeaders: () => captureTraceHeaders(),
    });
    cleanups.add('metadata store', () => metadata.close());
    const blobs = await FsBlobStore.open({ root: path.join(dataDir, 'blobs') });

    let relay: OutboxRelay | undefined;
    const core = new Registry({
      metadata,
      blobs,
      logger,
      maxArtifactBytes: options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
      downloadChunkBytes: options.downloadChunkBytes ?? DEFAULT_DOWNLOAD_CHUNK_BYTES,
      onCommitted: () => relay?.wake(),
    });
    await core.collectGarbage();

    const natsUrl = options.natsUrl;
    if (natsUrl !== undefined) {
      const publisher = createBusPublisher({
        logger,
        connect: () =>
          connectServiceBus({
            natsUrl,
            name: 'registry',
            logger,
            security: options.security,
            streamReplicas: options.natsStreamReplicas,
            // The registry starts and serves without NATS; its outbox relay publishes once it is there.
            ensureTopology: false,
            connection: { waitOnFirstConnect: false, timeoutMs: options.natsTimeoutMs },
          }),
      });
      cleanups.add('events bus', () => publisher.close());
      const started = createOutboxRelay({
        ...options.relay,
        store: metadata,
        publish: publisher.publish,
        logger,
      });
      cleanups.add('outbox relay', () => started.stop());
      relay = started;
      relay.start();
    } else {
      logger.warn('no NATS URL: registry events stay in the outbox until a registry with NATS starts');
    }

    const service = await createService({
      name: 'registry',
      host: options.host,
      port: options.port ?? DEFAULT_REGISTRY_PORT,
      services: [
        {
          definition: registryServiceDefinition(),
          implementation: createGrpcRegistryHandlers(core),
          roles: registryRpcRoles,
        },
      ],
      logger,
      drainTimeoutMs: options.drainTimeoutMs,
      maxReceiveMessageBytes: options.maxReceiveMessageBytes,
      security: options.security,
    });
    // Closed at shutdown newest first: relay, bus, database, lock.
    cleanups.handTo(service);
    return {
      port: service.port,
      address: service.address,
      service,
      registry: core,
      relay,
      shutdown: (reason) => service.shutdown(reason),
    };
  } catch (err) {
    await cleanups.undo();
    throw err;
  }
}
