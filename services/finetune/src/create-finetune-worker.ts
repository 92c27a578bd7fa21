// A finetune worker: pulls job ids from the `finetune-workers` work queue (competing consumers, any number
// of replicas), claims each job from the finetune API over the control protocol, trains it, and reports
// the outcome. JetStream redelivers an item whose worker died; the job then resumes from its local
// checkpoint (same machine or shared data dir) or starts again with the same seed.
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend, type BackendChoice, type BackendInfo } from '@headstart/compute';
import { Code, HeadstartError, isRetryable } from '@headstart/errors';
import {
  WORK_TYPES,
  connectEvents,
  type ConsumerHandle,
  type DeliveryContext,
  type EventBus,
  type WorkTypeDef,
} from '@headstart/events';
import { common, type finetune } from '@headstart/proto';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService } from '@headstart/service-kit';
import { createLogger, createService } from '@headstart/service-kit';
import { createControlClient, type ControlClient } from './control/control-client';
import { DatasetLoader } from './data/dataset-loader';
import { removeJobCheckpoint } from './training/job-checkpoint';
import { createJobReporter } from './worker/job-reporter';
import { JobCancelledError, runJob, type JobOutcome } from './worker/run-job';

export const DEFAULT_WORKER_HEALTH_PORT = 50060;

export interface FinetuneWorkerOptions {
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
  /** Minimum time between progress reports. @default 1000 ms */
  progressIntervalMs?: number;
  /**
   * Minimum time between two job checkpoints (written at evaluations; the first always). Each is the
   * weights, AdamW moments and best weights with an fsync: at every evaluation they doubled the time of a
   * short study trial. @default 30 s
   */
  checkpointIntervalMs?: number;
  /** How long the end of a job is reported to an API that does not answer before giving up. @default 5 min */
  finishTimeoutMs?: number;
  /** Timeout of one control request. @default 5000 ms */
  controlTimeoutMs?: number;
  /** The work queue (the finetune API must use the same). @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
}

export interface FinetuneWorkerStats {
  started: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  skipped: number;
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isTransient(err: unknown): boolean {
  if (err instanceof HeadstartError) return isRetryable(err.code) || err.code === Code.DEADLINE_EXCEEDED;
  return false;
}

function failure(err: unknown): JobOutcome {
  const error =
    err instanceof HeadstartError
      ? err
      : new HeadstartError(Code.INTERNAL, err instanceof Error ? err.message : String(err));
  return {
    state: common.JobState.JOB_STATE_FAILED,
    error: error.message,
    errorCode: error.codeName,
    resultVersion: undefined,
    metrics: {},
    bestDev: undefined,
    test: undefined,
    step: 0,
    stoppedEarly: false,
  };
}

async function reportFinish(
  control: ControlClient,
  request: finetune.FinishFinetuneRequest,
  ctx: DeliveryContext,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await control.finish(request);
      return;
    } catch (err) {
      if (!isTransient(err) || Date.now() > deadline) throw err;
      if (attempt === 0)
        logger.warn(
          { finetune: request.finetuneId, err: (err as Error).message },
          'finetune API unreachable; retrying the report',
        );
      ctx.working();
      await sleep(Math.min(5_000, 250 * 2 ** attempt));
    }
  }
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
  const client = createRegistryClient({ address: options.registryAddress });
  const bus = await connectEvents({
    servers: options.natsUrl,
    name: `finetune-worker ${name}`,
    logger,
    streamReplicas: options.natsStreamReplicas ?? 1,
  });
  const control = createControlClient(bus.nc, options.controlTimeoutMs);
  const datasets = new DatasetLoader({ client, cacheEntries: 2 });
  const stats: FinetuneWorkerStats = { started: 0, succeeded: 0, failed: 0, cancelled: 0, skipped: 0 };
  const workType = options.workType ?? WORK_TYPES.finetune;
  const maxDeliver = workType.consumer.maxDeliver;

  const handle = async (item: finetune.FinetuneWork, ctx: DeliveryContext): Promise<void> => {
    const id = item.finetuneId;
    const log = logger.child({ finetune: id, delivery: ctx.deliveryCount });
    let claim: finetune.ClaimFinetuneResponse;
    try {
      claim = await control.claim({
        finetuneId: id,
        worker: name,
        delivery: ctx.deliveryCount,
        backend: backend.name,
      });
    } catch (err) {
      if (err instanceof HeadstartError && err.code === Code.NOT_FOUND) {
        log.warn('work item for a job the finetune API does not know: dropped');
        stats.skipped++;
        return;
      }
      throw err;
    }
    if (!claim.run || !claim.finetune) {
      log.info({ state: claim.finetune?.state }, 'job is already finished or cancelled: skipped');
      stats.skipped++;
      return;
    }
    stats.started++;
    const job = claim.finetune;
    const reporter = createJobReporter(
      control,
      { finetuneId: id, worker: name },
      options.progressIntervalMs ?? 1_000,
      (err) => log.debug({ err: (err as Error).message }, 'progress report failed'),
    );
    let outcome: JobOutcome;
    try {
      outcome = await runJob({
        job,
        client,
        bus,
        datasets,
        reporter,
        checkpointDir,
        checkpointIntervalMs: options.checkpointIntervalMs ?? 30_000,
        logger: log,
        signal: ctx.signal,
        heartbeat: () => ctx.working(),
      });
    } catch (err) {
      // The worker is stopping: hand the item back; the job resumes from its checkpoint.
      if (ctx.signal.aborted) throw err;
      if (err instanceof JobCancelledError) {
        outcome = {
          ...failure(new HeadstartError(Code.CANCELLED, 'cancelled')),
          state: common.JobState.JOB_STATE_CANCELLED,
        };
      } else if (isTransient(err) && ctx.deliveryCount < maxDeliver) {
        log.warn({ err: (err as Error).message }, 'transient failure: the job will be retried');
        throw err;
      } else {
        log.error({ err }, 'fine-tune failed');
        outcome = failure(err);
      }
    }
    const succeeded = outcome.state === common.JobState.JOB_STATE_SUCCEEDED;
    // The outcome is final (a redelivery finds the registered version instead of training): the job's
    // checkpoint is no longer needed.
    await removeJobCheckpoint(checkpointDir, id);
    await bus.publish(
      'finetuneFinished',
      {
        jobId: id,
        versionId: outcome.resultVersion?.versionId ?? '',
        succeeded,
        error: outcome.error,
        metrics: outcome.metrics,
      },
      { msgId: id },
    );
    await reportFinish(
      control,
      { ...outcome, finetuneId: id, worker: name },
      ctx,
      options.finishTimeoutMs ?? 5 * 60_000,
      log,
    );
    if (succeeded) stats.succeeded++;
    else if (outcome.state === common.JobState.JOB_STATE_CANCELLED) stats.cancelled++;
    else stats.failed++;
  };

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
