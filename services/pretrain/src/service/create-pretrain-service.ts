// The PretrainService API process: gRPC handlers over the run store, the registry (to validate shards)
// and the work queue. It trains nothing itself; workers do (see createPretrainWorker).
import { Code, HeadstartError } from '@headstart/errors';
import type { EventBus, MaxDeliveriesWatch } from '@headstart/events';
import { connectEvents } from '@headstart/events';
import { pretrain } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import { clientSecurityOf, createService, natsSecurityOf, serverStream, unary } from '@headstart/service-kit';
import type { PretrainQueueOptions } from '../queue/work-type';
import { pretrainWorkType } from '../queue/work-type';
import type { RunStore } from '../runs/run-store';
import { openRunStore } from '../runs/run-store';
import { RUN_ID_PATTERN } from '../runs/run-state';
import { cancelRun } from './cancel-run';
import { watchExhaustedRuns } from './exhausted-runs';
import { pageRuns } from './list-runs';
import { startQueuedSweep } from './queued-sweep';
import { startRun } from './start-run';
import { watchRun } from './watch-run';
import { pretrainRpcRoles } from './rpc-roles';

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

function checkRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `run_id "${runId}" is not a run id`, {
      details: { field: 'run_id' },
    });
  }
  return runId;
}

async function getRun(store: RunStore, runId: string): Promise<pretrain.Run> {
  const stored = await store.get(checkRunId(runId));
  if (!stored)
    throw new HeadstartError(Code.NOT_FOUND, `run ${runId} does not exist`, { details: { runId } });
  return stored.run;
}

export async function createPretrainService(options: PretrainServiceOptions): Promise<PretrainServiceHandle> {
  const { logger } = options;
  const replicas = options.natsStreamReplicas ?? 1;
  const bus = await connectEvents({
    servers: options.natsUrl,
    name: 'pretrain',
    logger,
    ...natsSecurityOf(options.security, options.natsUrl),
    streamReplicas: replicas,
  });
  let registry: RegistryClient | undefined;
  try {
    await bus.ensureTopology();
    const store = await openRunStore(bus.js, options.runsBucket, { replicas, jsm: bus.jsm });
    registry = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    const client = registry;
    const workType = pretrainWorkType(options.queue);
    const enqueue = async (runId: string) => {
      await bus.enqueueWork(workType, { runId, requeues: 0 }, { msgId: runId });
    };
    const handlers = {
      startRun: unary(async (request: pretrain.StartRunRequest) => {
        const run = await startRun(request, { registry: client, store, enqueue });
        logger.info({ runId: run.id, model: run.spec?.modelName }, 'run queued');
        return { run };
      }),
      getRun: unary(async (request: pretrain.GetRunRequest) => ({ run: await getRun(store, request.runId) })),
      listRuns: unary(async (request: pretrain.ListRunsRequest) => pageRuns(await store.list(), request)),
      watchRun: serverStream((request: pretrain.WatchRunRequest, ctx) =>
        watchRun(checkRunId(request.runId), ctx, { store, nc: bus.nc }),
      ),
      cancelRun: unary(async (request: pretrain.CancelRunRequest) => {
        await getRun(store, request.runId);
        const run = await cancelRun(request.runId, store);
        logger.info({ runId: run.id, state: run.state }, 'run cancel requested');
        return { run };
      }),
    };
    // The API owns the run records, so it settles those whose workers all died (closed with the bus).
    const exhausted = await watchExhaustedRuns({
      bus,
      store,
      workType,
      logger,
      sweepIntervalMs: options.exhaustedSweepMs ?? 60_000,
      staleAfterMs: 2 * workType.consumer.ackWaitMs,
      orphanedAfterMs: options.orphanedAfterMs ?? 5 * workType.consumer.ackWaitMs,
    });
    const service = await createService({
      name: 'pretrain',
      host: options.host ?? '0.0.0.0',
      port: options.port ?? DEFAULT_PRETRAIN_PORT,
      logger,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      services: [
        { definition: pretrain.PretrainServiceService, implementation: handlers, roles: pretrainRpcRoles },
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
