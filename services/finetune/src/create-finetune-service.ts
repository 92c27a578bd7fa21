// The finetune API in one process: its SQLite store, the `finetune-triggers` consumer, the work-queue
// outbox sweep, the worker control protocol, and the gRPC server (triggers, jobs, predictions).
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { selectBackend, type BackendChoice, type BackendInfo } from '@headstart/compute';
import {
  WORK_TYPES,
  connectEvents,
  type ConsumerHandle,
  type EventBus,
  type MaxDeliveriesWatch,
  type WorkTypeDef,
} from '@headstart/events';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import { finetune as finetuneProto } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService } from '@headstart/service-kit';
import { createLogger, createService } from '@headstart/service-kit';
import { createFinetuneHandlers } from './api/finetune-handlers';
import { startControlServer } from './control/control-server';
import { DatasetLoader } from './data/dataset-loader';
import { JobEvents, StudyEvents } from './jobs/job-events';
import { watchExhaustedJobs } from './jobs/exhausted-jobs';
import { JobService } from './jobs/job-service';
import type { ModelCacheOptions } from './models/model-cache';
import { Predictor } from './predict/predictor';
import { FinetuneStore } from './store/finetune-store';
import { StudyService } from './studies/study-service';
import { TriggerService } from './triggers/trigger-service';
import type { finetune } from '@headstart/proto';

export const DEFAULT_FINETUNE_PORT = 50054;
export const DATABASE_FILE = 'finetune.db';

export interface FinetuneServiceOptions {
  /** Holds finetune.db (triggers and jobs). Created when missing. */
  dataDir: string;
  /** host:port of the registry. */
  registryAddress: string;
  /** host:port of the pretrain API, which adaptation triggers start runs on. Unset: such triggers are refused. */
  pretrainAddress?: string | undefined;
  natsUrl: string | string[];
  /** Replicas of the JetStream streams this creates (3 on a cluster). @default 1 */
  natsStreamReplicas?: number;
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port. @default 50054 */
  port?: number;
  logger?: Logger;
  /** TF.js backend for Classify / FillMask. @default 'auto' */
  backend?: BackendChoice;
  /** Compute threads for Classify / FillMask; 0 or unset: the process's CPU budget. */
  threads?: number;
  /** Bounds of the prediction model cache. @default 1 GiB, 8 models */
  modelCache?: ModelCacheOptions;
  /** Events handled at once by the trigger consumer. @default 4 */
  triggerConcurrency?: number;
  /** How often jobs whose work item may be missing are enqueued again. @default 30 s */
  sweepIntervalMs?: number;
  /**
   * How often the work stream is swept for jobs whose workers all died (the server's advisory settles
   * them at once; the sweep catches advisories missed, e.g. while this process was down). It also runs
   * at start. 0: at start only. @default 60 s
   */
  exhaustedSweepMs?: number;
  /** A RUNNING job with no work item left that has not reported for this long is FAILED. @default 5 × ack wait */
  orphanedAfterMs?: number;
  /** The work queue (workers must use the same). @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
  /** @default the kit's 10 s */
  drainTimeoutMs?: number;
  /** Test seam: runs after a job row is inserted, before its work item is enqueued. */
  afterJobInserted?: (job: finetune.Finetune) => Promise<void>;
}

export interface FinetuneServiceHandle {
  readonly port: number;
  readonly address: string;
  readonly service: RunningService;
  readonly store: FinetuneStore;
  readonly jobs: JobService;
  readonly triggers: TriggerService;
  readonly studies: StudyService;
  readonly predictor: Predictor;
  readonly bus: EventBus;
  readonly backend: BackendInfo;
  /** The trigger consumer's counters. */
  readonly consumer: ConsumerHandle;
  /** Ends jobs whose workers died on every delivery. */
  readonly exhausted: MaxDeliveriesWatch;
  shutdown(reason?: string): Promise<void>;
}

export async function createFinetuneService(options: FinetuneServiceOptions): Promise<FinetuneServiceHandle> {
  const logger = options.logger ?? createLogger({ name: 'finetune' });
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];
  const undo = async () => {
    for (const { fn } of [...cleanups].reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  try {
    const backend = await selectBackend({
      backend: options.backend ?? 'auto',
      logger,
      ...(options.threads ? { threads: options.threads } : {}),
    });
    const store = FinetuneStore.open(path.join(dataDir, DATABASE_FILE));
    cleanups.push({ name: 'store', fn: () => store.close() });
    const client: RegistryClient = createRegistryClient({ address: options.registryAddress });
    cleanups.push({ name: 'registry client', fn: () => client.close() });
    const bus = await connectEvents({
      servers: options.natsUrl,
      name: 'finetune',
      logger,
      streamReplicas: options.natsStreamReplicas ?? 1,
    });
    cleanups.push({ name: 'events bus', fn: () => bus.close({ graceMs: 5_000 }) });
    await bus.ensureTopology();

    const predictor = new Predictor(client, options.modelCache);
    cleanups.push({ name: 'model cache', fn: () => predictor.cache.clear() });
    const events = new JobEvents();
    const datasets = new DatasetLoader({ client });
    const workType = options.workType ?? WORK_TYPES.finetune;
    const jobs = new JobService({
      store,
      bus,
      events,
      logger,
      workType,
      ...(options.afterJobInserted ? { afterJobInserted: options.afterJobInserted } : {}),
    });
    const studyEvents = new StudyEvents();
    const studies = new StudyService({
      store,
      jobs,
      jobEvents: events,
      events: studyEvents,
      client,
      datasets,
      logger,
    });
    cleanups.push({ name: 'studies', fn: () => studies.close() });
    let pretrain: PretrainClient | undefined;
    if (options.pretrainAddress) {
      const pretrainClient = createPretrainClient({ address: options.pretrainAddress });
      cleanups.push({ name: 'pretrain client', fn: () => pretrainClient.close() });
      pretrain = pretrainClient;
    }
    const triggers = new TriggerService({ store, jobs, studies, client, datasets, pretrain, logger });

    const control = startControlServer(
      bus.nc,
      {
        claim: async (r) => jobs.claim(r),
        progress: async (r) => jobs.progress(r),
        finish: async (r) => jobs.finish(r),
      },
      logger,
    );
    cleanups.push({ name: 'control server', fn: () => control.stop() });

    const consumer = await bus.consume('finetune-triggers', (event, ctx) => triggers.handle(event, ctx), {
      concurrency: options.triggerConcurrency ?? 4,
    });
    cleanups.push({ name: 'trigger consumer', fn: () => consumer.stop({ graceMs: 5_000 }) });

    // The outbox sweep: at start (a crash may have left rows unenqueued) and then periodically.
    const sweep = () =>
      jobs
        .enqueuePending()
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'enqueue sweep failed'));
    await sweep();
    // Studies left unfinished (trials missing after a crash, a report the registry could not take) too.
    const studySweep = () =>
      studies
        .recover()
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'study sweep failed'));
    await studySweep();
    const timer = setInterval(() => void sweep().then(studySweep), options.sweepIntervalMs ?? 30_000);
    timer.unref();
    cleanups.push({ name: 'enqueue sweep', fn: () => clearInterval(timer) });

    // The jobs' owner ends those whose workers all died (after the outbox sweep, so that every job's
    // work item is in the queue when its first sweep looks for orphans).
    const exhausted = await watchExhaustedJobs({
      bus,
      store,
      jobs,
      workType,
      logger,
      sweepIntervalMs: options.exhaustedSweepMs ?? 60_000,
      orphanedAfterMs: options.orphanedAfterMs ?? 5 * workType.consumer.ackWaitMs,
    });
    cleanups.push({ name: 'exhausted-jobs watch', fn: () => exhausted.stop() });

    const service = await createService({
      name: 'finetune',
      host: options.host,
      port: options.port ?? DEFAULT_FINETUNE_PORT,
      services: [
        {
          definition: finetuneProto.FinetuneServiceService,
          implementation: createFinetuneHandlers({
            store,
            jobs,
            events,
            triggers,
            predictor,
            client,
            datasets,
            studies,
            studyEvents,
          }),
        },
      ],
      logger,
      drainTimeoutMs: options.drainTimeoutMs,
    });
    // The kit runs hooks newest first: watch, sweep, consumer, control, cache, bus, client, store.
    for (const { name, fn } of cleanups) service.addShutdownHook(name, async () => fn());
    logger.info({ address: service.address, backend: backend.name }, 'finetune service ready');
    return {
      port: service.port,
      address: service.address,
      service,
      store,
      jobs,
      triggers,
      studies,
      predictor,
      bus,
      backend,
      consumer,
      exhausted,
      shutdown: (reason) => service.shutdown(reason),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
