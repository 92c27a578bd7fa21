// A finetune worker: pulls job ids from the `finetune-workers` work queue (competing consumers, any number
// of replicas), claims each job in its record (the job store, a JetStream KV bucket: the API need not be
// up), trains it, and writes the outcome. JetStream redelivers an item whose worker died; the job then
// resumes from its local checkpoint (same machine or shared data dir) or starts again with the same seed.
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend, type BackendChoice, type BackendInfo } from '@headstart/compute';
import { WORK_TYPES, type ConsumerHandle, type EventBus, type WorkTypeDef } from '@headstart/events';
import type { finetune } from '@headstart/proto';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import { clientSecurityOf, createLogger, createService, connectServiceBus } from '@headstart/service-kit';
import { DatasetLoader } from './data/dataset-loader';
import { openFinetuneJobStore } from './jobs/job-store';
import { jobDeliveryHandler, type FinetuneWorkerStats } from './worker/job-delivery';

// Not 50060 (the pretrain worker's): both kinds of worker can run on one host with their defaults.
export const DEFAULT_WORKER_HEALTH_PORT = 50061;

export interface FinetuneWorkerOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  registryAddress: string;
  natsUrl: string | string[];
  /** Replicas of the JetStream streams this creates (3 on a cluster). @default 1 */
  natsStreamReplicas?: number;
  /** Job checkpoints go to `<dataDir>/finetune-jobs`. */
  dataDir: string;
  /** Name shown in job records. @default `<hostname>-<pid>` */
  name?: string;
  logger?: Logger;
  /** @default 'auto' */
  backend?: BackendChoice;
  /** Compute threads; 0 or unset: the cores the process may use (affinity and cgroup CPU quota). */
  threads?: number;
  /** Jobs trained at once by this worker. @default 1 */
  concurrency?: number;
  /** Serve grpc.health.v1 on this port (0: a free one); undefined: no health server. */
  healthPort?: number;
  healthHost?: string;
  /** Minimum time between progress writes to the job record. @default 1000 ms */
  progressIntervalMs?: number;
  /**
   * Minimum time between two job checkpoints (written at evaluations; the first always). Each is the
   * weights, AdamW moments and best weights with an fsync: at every evaluation they doubled the time of a
   * short study trial. @default 30 s
   */
  checkpointIntervalMs?: number;
  /** The work queue (the finetune API must use the same). @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
}

export type { FinetuneWorkerStats } from './worker/job-delivery';

export interface FinetuneWorkerHandle {
  readonly name: string;
  readonly backend: BackendInfo;
  readonly bus: EventBus;
  readonly stats: Readonly<FinetuneWorkerStats>;
  readonly consumer: ConsumerHandle;
  /** The health server, when a port was given. */
  readonly health: RunningService | undefined;
  /** Stops pulling, lets the running job finish for `graceMs` (then hands it back), closes connections. */
  shutdown(reason?: string, graceMs?: number): Promise<void>;
}

export async function createFinetuneWorker(options: FinetuneWorkerOptions): Promise<FinetuneWorkerHandle> {
  const logger = options.logger ?? createLogger({ name: 'finetune-worker' });
  const name = options.name ?? `${os.hostname()}-${process.pid}`;
  const checkpointDir = path.join(path.resolve(options.dataDir), 'finetune-jobs');
  await mkdir(checkpointDir, { recursive: true });
  const backend = await selectBackend({
    backend: options.backend ?? 'auto',
    logger,
    ...(options.threads ? { threads: options.threads } : {}),
  });
  const client = createRegistryClient({
    address: options.registryAddress,
    ...clientSecurityOf(options.security),
  });
  const bus = await connectServiceBus({
    natsUrl: options.natsUrl,
    name: `finetune-worker ${name}`,
    logger,
    security: options.security,
    streamReplicas: options.natsStreamReplicas,
    // Its API creates the topology; the worker's NATS user may only use it.
    ensureTopology: false,
  });
  const store = await openFinetuneJobStore(bus.js, {
    replicas: options.natsStreamReplicas ?? 1,
    connection: bus.connection,
  });
  const datasets = new DatasetLoader({ client, cacheEntries: 2 });
  const stats: FinetuneWorkerStats = { started: 0, succeeded: 0, failed: 0, cancelled: 0, skipped: 0 };
  const workType = options.workType ?? WORK_TYPES.finetune;

  const handle = jobDeliveryHandler({
    name,
    backendName: backend.name,
    store,
    client,
    bus,
    workType,
    datasets,
    checkpointDir,
    stats,
    logger,
    progressIntervalMs: options.progressIntervalMs ?? 1_000,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 30_000,
  });

  const consumer = await bus.consumeWork(workType, handle, {
    concurrency: options.concurrency ?? 1,
    autoHeartbeat: true,
  });

  let health: RunningService | undefined;
  if (options.healthPort !== undefined) {
    health = await createService({
      name: 'finetune-worker',
      host: options.healthHost,
      port: options.healthPort,
      services: [],
      logger,
    });
  }
  logger.info({ worker: name, backend: backend.name, health: health?.address }, 'finetune worker ready');

  let stopping: Promise<void> | undefined;
  return {
    name,
    backend,
    bus,
    stats,
    consumer,
    health,
    shutdown: (reason = 'shutdown', graceMs = 30_000) => {
      stopping ??= (async () => {
        logger.info({ reason }, 'finetune worker stopping');
        health?.setServing(false);
        await consumer.stop({ graceMs });
        await bus.close({ graceMs });
        client.close();
        await health?.shutdown(reason);
      })();
      return stopping;
    },
  };
}
