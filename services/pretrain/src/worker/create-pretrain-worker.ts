// A pretrain worker: pulls runs from the work queue one at a time, trains them, checkpoints into the
// registry, and serves grpc.health.v1 for its probes. Any number of workers may run; a run whose worker
// dies is redelivered after the ack wait and resumed by another from its last checkpoint.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { BackendChoice } from '@headstart/compute';
import type { ConsumerHandle } from '@headstart/events';
import { leaseStaleAfterMs } from '@headstart/jobs';

import type { RegistryClient } from '@headstart/registry-client';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import { clientSecurityOf, createService, connectServiceBus } from '@headstart/service-kit';
import type { PretrainQueueOptions } from '../queue/work-type';
import { pretrainWorkType } from '../queue/work-type';
import { openRunStore } from '../runs/run-records';
import { createBackendManager } from './backend-manager';
import { deliverRun } from './deliver-run';

export const DEFAULT_HEALTH_PORT = 50060;

export interface PretrainWorkerOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  logger: Logger;
  natsUrl: string;
  /** Replicas of the JetStream streams and the runs bucket this creates (3 on a cluster). @default 1 */
  natsStreamReplicas?: number;
  registryAddress: string;
  /** Shards cache and local checkpoints live under <dataDir>/pretrain. */
  dataDir: string;
  /** Backend for runs that do not ask for one. @default 'auto' */
  backend?: BackendChoice;
  /** Compute threads; 0 or unset: the cores the process may use (affinity and cgroup CPU quota). */
  threads?: number;
  /** @default '<hostname>-<pid>-<random>' */
  workerId?: string;
  /** @default 'HEADSTART_PRETRAIN_RUNS' */
  runsBucket?: string;
  queue?: PretrainQueueOptions;
  /** Port of grpc.health.v1 (0: any free port); undefined serves none (in-process workers). */
  healthPort?: number;
  /** @default '0.0.0.0' */
  healthHost?: string;
  /** Minimum time between progress messages. @default 1000 */
  progressIntervalMs?: number;
  /** Time between run-record heartbeats. @default min(ackWait / 3, 10 s) */
  heartbeatMs?: number;
  /** A lease not renewed for this long is taken over by a redelivered item. @default 2 × ackWait */
  staleAfterMs?: number;
  /** How long stop() lets the current run reach a step boundary and checkpoint. @default 540_000 */
  stopGraceMs?: number;
}

export interface PretrainWorkerHandle {
  readonly workerId: string;
  /** Bound health port, when serving one. */
  readonly healthPort: number | undefined;
  readonly consumer: ConsumerHandle;
  /**
   * Stops pulling; a run in progress stops at its next step, checkpoints that exact step and goes back
   * on the queue for another worker; then closes everything. Idempotent.
   */
  stop(reason?: string): Promise<void>;
}

export async function createPretrainWorker(options: PretrainWorkerOptions): Promise<PretrainWorkerHandle> {
  const { logger } = options;
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const workType = pretrainWorkType(options.queue);
  const ackWaitMs = workType.consumer.ackWaitMs;
  const replicas = options.natsStreamReplicas ?? 1;
  const bus = await connectServiceBus({
    natsUrl: options.natsUrl,
    name: `pretrain-worker ${workerId}`,
    logger,
    security: options.security,
    streamReplicas: replicas,
  });
  let client: RegistryClient | undefined;
  let health: RunningService | undefined;
  try {
    const store = await openRunStore(bus, { bucket: options.runsBucket, replicas });
    client = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    const backends = createBackendManager(options.backend ?? 'auto', logger, options.threads);
    await backends.ensure(undefined);
    if (options.healthPort !== undefined) {
      health = await createService({
        name: 'pretrain-worker',
        host: options.healthHost ?? '0.0.0.0',
        port: options.healthPort,
        logger,
        services: [],
      });
    }
    let shuttingDown = false;
    const deps = {
      client,
      store,
      nc: bus.nc,
      logger,
      backends,
      dataDir: options.dataDir,
      progressIntervalMs: options.progressIntervalMs ?? 1_000,
      heartbeatMs: options.heartbeatMs ?? Math.min(Math.floor(ackWaitMs / 3), 10_000),
      bus,
      workType,
      workerId,
      staleAfterMs: options.staleAfterMs ?? leaseStaleAfterMs(workType),
      shuttingDown: () => shuttingDown,
    };
    const consumer = await bus.consumeWork(workType, (item, ctx) => deliverRun(item, ctx, deps), {
      concurrency: 1,
      // Also covers checkpoint uploads and shard downloads, where no step runs to heartbeat.
      autoHeartbeat: true,
    });
    logger.info(
      { workerId, consumer: workType.consumer.name, subject: workType.subject },
      'pretrain worker ready',
    );
    const registry = client;
    let stopped: Promise<void> | undefined;
    return {
      workerId,
      healthPort: health?.port,
      consumer,
      stop: (reason = 'stop requested') => {
        stopped ??= (async () => {
          logger.info({ reason }, 'pretrain worker stopping');
          shuttingDown = true;
          health?.setServing(false);
          await consumer.stop({ graceMs: options.stopGraceMs ?? 540_000 });
          await bus.close({ graceMs: 1_000 });
          registry.close();
          await health?.shutdown(reason);
        })();
        return stopped;
      },
    };
  } catch (err) {
    client?.close();
    await health?.shutdown('start failed').catch(() => undefined);
    await bus.close({ graceMs: 0 }).catch(() => undefined);
    throw err;
  }
}
