// The PretrainService API process: the gRPC handlers (grpc/) over the run records, the registry (to
// validate shards) and the work queue, plus the sweeps that keep runs moving (QUEUED runs enqueued again,
// runs whose workers all died failed). It trains nothing itself; workers do (see createPretrainWorker).
import type { EventBus, MaxDeliveriesWatch } from '@headstart/events';

import { leaseStaleAfterMs, startQueuedSweep, watchExhaustedJobs } from '@headstart/jobs';
import { pretrain } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import { clientSecurityOf, createService, connectServiceBus } from '@headstart/service-kit';
import { createPretrainHandlers } from './grpc/pretrain-handlers';
import { pretrainRpcRoles } from './grpc/rpc-roles';
import type { PretrainQueueOptions } from './queue/work-type';
import { pretrainWorkType } from './queue/work-type';
import type { RunStore } from './runs/run-records';
import { openRunStore } from './runs/run-records';

export const DEFAULT_PRETRAIN_PORT = 50053;

export interface PretrainServiceOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  logger: Logger;
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port. @default 50053 */
  port?: number;
  natsUrl: string;
  /** Replicas of the JetStream streams and the runs bucket this creates (3 on a cluster). @default 1 */
  natsStreamReplicas?: number;
  /** host:port of the registry. */
  registryAddress: string;
  /** JetStream KV bucket of the run records. @default 'HEADSTART_PRETRAIN_RUNS' */
  runsBucket?: string;
  /** The work queue (defaults: the topology's pretrain work type). */
  queue?: PretrainQueueOptions;
  /** How often QUEUED runs are put on the queue again (the queue drops duplicates); 0 disables. @default 60_000 */
  requeueSweepMs?: number;
  /**
   * How often the work stream is swept for runs whose workers all died (the server's advisory settles
   * them at once; the sweep catches advisories missed, e.g. while this process was down). It also runs
   * at start. 0: at start only. @default 60_000
   */
  exhaustedSweepMs?: number;
  /** A RUNNING run with no work item left and a lease older than this is FAILED. @default 5 × ack wait */
  orphanedAfterMs?: number;
  /** @default 10_000 */
  drainTimeoutMs?: number;
}

export interface PretrainServiceHandle {
  readonly port: number;
  readonly address: string;
  readonly service: RunningService;
  readonly store: RunStore;
  readonly bus: EventBus;
  /** Marks runs FAILED whose workers died on every delivery. */
  readonly exhausted: MaxDeliveriesWatch;
  shutdown(reason?: string): Promise<void>;
}

export async function createPretrainService(options: PretrainServiceOptions): Promise<PretrainServiceHandle> {
  const { logger } = options;
  const replicas = options.natsStreamReplicas ?? 1;
  const bus = await connectServiceBus({
    natsUrl: options.natsUrl,
    name: 'pretrain',
    logger,
    security: options.security,
    streamReplicas: replicas,
  });
  let registry: RegistryClient | undefined;
  try {
    const store = await openRunStore(bus, { bucket: options.runsBucket, replicas });
    registry = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    const client = registry;
    const workType = pretrainWorkType(options.queue);
    const enqueue = async (runId: string) => {
      await bus.enqueueWork(workType, { runId, requeues: 0 }, { msgId: runId });
    };
    // The API owns the run records, so it settles those whose workers all died (closed with the bus).
    const exhausted = await watchExhaustedJobs({
      bus,
      store,
      workType,
      jobIdOf: (item) => item.runId,
      noun: 'run',
      logger,
      sweepIntervalMs: options.exhaustedSweepMs ?? 60_000,
      staleAfterMs: leaseStaleAfterMs(workType),
      orphanedAfterMs: options.orphanedAfterMs ?? 5 * workType.consumer.ackWaitMs,
    });
    const service = await createService({
      name: 'pretrain',
      host: options.host ?? '0.0.0.0',
      port: options.port ?? DEFAULT_PRETRAIN_PORT,
      logger,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      services: [
        {
          definition: pretrain.PretrainServiceService,
          implementation: createPretrainHandlers({ registry: client, store, nc: bus.nc, enqueue, logger }),
          roles: pretrainRpcRoles,
        },
      ],
      security: options.security,
    });
    const sweep = startQueuedSweep({ store, enqueue, logger, intervalMs: options.requeueSweepMs ?? 60_000 });
    service.addShutdownHook('events', () => bus.close({ graceMs: 1_000 }));
    service.addShutdownHook('registry client', () => client.close());
    service.addShutdownHook('queued sweep', () => sweep.stop());
    service.addShutdownHook('exhausted-runs watch', () => exhausted.stop());
    return {
      port: service.port,
      address: service.address,
      service,
      store,
      bus,
      exhausted,
      shutdown: (reason?: string) => service.shutdown(reason),
    };
  } catch (err) {
    registry?.close();
    await bus.close({ graceMs: 0 }).catch(() => undefined);
    throw err;
  }
}
