// The finetune API in one process: its SQLite store (triggers, studies), the job store (the job records,
// a JetStream KV bucket its workers write too), the `finetune-triggers` consumer, the queued-job and
// exhausted-job sweeps, and the gRPC server (triggers, jobs, studies, predictions).
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { selectBackend, type BackendChoice, type BackendInfo } from '@headstart/compute';
import {
  EVENT_CONSUMERS,
  WORK_TYPES,
  type ConsumerHandle,
  type EventBus,
  type MaxDeliveriesWatch,
  type WorkTypeDef,
} from '@headstart/events';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import { finetune as finetuneProto } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import { clientSecurityOf, createLogger, createService, connectServiceBus } from '@headstart/service-kit';
import { requeueQueuedJobs, startQueuedSweep } from '@headstart/jobs';
import { createFinetuneHandlers } from './grpc/finetune-handlers';
import { getTracer, withSpan } from '@headstart/telemetry';
import { DatasetLoader } from './data/dataset-loader';
import { watchJobChanges } from './jobs/job-changes';
import { JobEvents, StudyEvents } from './jobs/job-events';
import { watchFinetuneExhaustedJobs } from './jobs/exhausted-jobs';
import { JobService } from './jobs/job-service';
import { openFinetuneJobStore, type FinetuneJobStore } from './jobs/job-store';
import type { ModelCacheOptions } from './models/model-cache';
import { Predictor } from './predict/predictor';
import { FinetuneStore } from './store/finetune-store';
import { importLegacyJobs } from './store/legacy-jobs';
import { StudyService } from './studies/study-service';
import { TriggerService } from './triggers/trigger-service';
import type { finetune } from '@headstart/proto';
import { finetuneRpcRoles } from './grpc/rpc-roles';

export const DEFAULT_FINETUNE_PORT = 50054;
export const DATABASE_FILE = 'finetune.db';

export interface FinetuneServiceOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  /** Holds finetune.db (triggers and studies). Created when missing. */
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
  /**
   * How often jobs QUEUED for that long are enqueued again (their work item may be missing after a
   * crash), and unfinished studies checked. @default 30 s
   */
  sweepIntervalMs?: number;
  /**
   * How often the work stream is swept for jobs whose workers all died (the server's advisory settles
   * them at once; the sweep catches advisories missed, e.g. while this process was down). It also runs
   * at start. 0: at start only. @default 60 s
   */
  exhaustedSweepMs?: number;
  /** A RUNNING job with no work item left whose lease is older than this is FAILED. @default 5 × ack wait */
  orphanedAfterMs?: number;
  /** The work queue (workers must use the same). @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
  /** Redelivery of a trigger event this API took and did not finish. @default the topology's (30 s) */
  triggerAckWaitMs?: number;
  /** @default the kit's 10 s */
  drainTimeoutMs?: number;
  /** Test seam: runs after a job record is created, before its work item is enqueued. */
  afterJobInserted?: (job: finetune.Finetune) => Promise<void>;
}

export interface FinetuneServiceHandle {
  readonly port: number;
  readonly address: string;
  readonly service: RunningService;
  readonly store: FinetuneStore;
  /** The job records (shared with the workers). */
  readonly jobStore: FinetuneJobStore;
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

/** What to undo, in order of creation (undone newest first, or handed to the kit's shutdown hooks). */
type Cleanups = { name: string; fn: () => Promise<void> | void }[];

/** The domain services of the API, built on its store, bus and registry client. */
interface Domain {
  predictor: Predictor;
  events: JobEvents;
  studyEvents: StudyEvents;
  datasets: DatasetLoader;
  jobs: JobService;
  studies: StudyService;
  triggers: TriggerService;
}

export async function createFinetuneService(options: FinetuneServiceOptions): Promise<FinetuneServiceHandle> {
  const logger = options.logger ?? createLogger({ name: 'finetune' });
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const cleanups: Cleanups = [];
  try {
    const backend = await selectBackend({
      backend: options.backend ?? 'auto',
      logger,
      ...(options.threads ? { threads: options.threads } : {}),
    });
    const client: RegistryClient = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    cleanups.push({ name: 'registry client', fn: () => client.close() });
    const bus = await connectServiceBus({
      natsUrl: options.natsUrl,
      name: 'finetune',
      logger,
      security: options.security,
      streamReplicas: options.natsStreamReplicas,
    });
    cleanups.push({ name: 'events bus', fn: () => bus.close({ graceMs: 5_000 }) });
    const jobStore = await openFinetuneJobStore(bus.js, {
      replicas: options.natsStreamReplicas ?? 1,
      jsm: bus.jsm,
      connection: bus.connection,
    });
    const store = await openStore(path.join(dataDir, DATABASE_FILE), jobStore, logger);
    cleanups.push({ name: 'store', fn: () => store.close() });

    const workType = options.workType ?? WORK_TYPES.finetune;
    const domain = buildDomain(options, { store, jobStore, client, bus, logger, workType }, cleanups);
    const changes = await watchJobChanges(bus.js, domain.events);
    cleanups.push({ name: 'job changes watch', fn: () => changes.stop() });
    const triggerConsumer = EVENT_CONSUMERS['finetune-triggers'];
    const consumer = await bus.consume(
      { ...triggerConsumer, ackWaitMs: options.triggerAckWaitMs ?? triggerConsumer.ackWaitMs },
      // One span per event, child of its consumer span: the triggers matched and what they started.
      (event, ctx) =>
        withSpan(getTracer('@headstart/finetune'), `finetune triggers ${event.type}`, {}, () =>
          domain.triggers.handle(event, ctx),
        ),
      { concurrency: options.triggerConcurrency ?? 4 },
    );
    cleanups.push({ name: 'trigger consumer', fn: () => consumer.stop({ graceMs: 5_000 }) });
    await startRecoverySweeps(domain, options.sweepIntervalMs ?? 30_000, logger, cleanups);
    // Jobs whose workers all died are ended here (after the queued jobs were enqueued again, so that
    // every job's work item is in the queue when the first sweep looks for orphans).
    const exhausted = await watchFinetuneExhaustedJobs({
      bus,
      store: jobStore,
      workType,
      logger,
      sweepIntervalMs: options.exhaustedSweepMs ?? 60_000,
      orphanedAfterMs: options.orphanedAfterMs ?? 5 * workType.consumer.ackWaitMs,
    });
    cleanups.push({ name: 'exhausted-jobs watch', fn: () => exhausted.stop() });

    const service = await startGrpcServer(options, { client, logger }, domain);
    // The kit runs hooks newest first: exhausted watch, sweeps, consumer, changes watch, studies, cache,
    // store, bus, client.
    for (const { name, fn } of cleanups) service.addShutdownHook(name, async () => fn());
    logger.info({ address: service.address, backend: backend.name }, 'finetune service ready');
    const { jobs, triggers, studies, predictor } = domain;
    return {
      port: service.port,
      address: service.address,
      service,
      store,
      jobStore,
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
    for (const { fn } of [...cleanups].reverse()) await Promise.resolve(fn()).catch(() => undefined);
    throw err;
  }
}

/**
 * The SQLite store, opened once the jobs an earlier release kept in it are in the job store (its
 * migration drops their table).
 */
async function openStore(file: string, jobStore: FinetuneJobStore, logger: Logger): Promise<FinetuneStore> {
  const imported = await importLegacyJobs(file, jobStore);
  if (imported > 0) logger.info({ jobs: imported }, 'jobs of finetune.db moved to the job store');
  return FinetuneStore.open(file);
}

function buildDomain(
  options: FinetuneServiceOptions,
  base: {
    store: FinetuneStore;
    jobStore: FinetuneJobStore;
    client: RegistryClient;
    bus: EventBus;
    logger: Logger;
    workType: WorkTypeDef<finetune.FinetuneWork>;
  },
  cleanups: Cleanups,
): Domain {
  const { store, jobStore, client, bus, logger, workType } = base;
  const predictor = new Predictor(client, options.modelCache);
  cleanups.push({ name: 'model cache', fn: () => predictor.cache.clear() });
  const events = new JobEvents();
  const datasets = new DatasetLoader({ client });
  const jobs = new JobService({
    store: jobStore,
    bus,
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
  const pretrain = options.pretrainAddress
    ? pretrainClientFor(options.pretrainAddress, options.security, cleanups)
    : undefined;
  const triggers = new TriggerService({ store, jobs, studies, client, datasets, pretrain, logger });
  return { predictor, events, studyEvents, datasets, jobs, studies, triggers };
}

/** The pretrain API's client, for adaptation triggers' runs. */
function pretrainClientFor(
  address: string,
  security: SecuritySettings | undefined,
  cleanups: Cleanups,
): PretrainClient {
  const client = createPretrainClient({ address, ...clientSecurityOf(security) });
  cleanups.push({ name: 'pretrain client', fn: () => client.close() });
  return client;
}

/**
 * The queued sweep (a crash may have left a job recorded but not enqueued: every QUEUED job is enqueued
 * again, the msg id and the workers' claim drop repeats) and the study sweep (trials missing after a
 * crash, a report the registry could not take): once now, then every `intervalMs`.
 */
async function startRecoverySweeps(
  domain: Domain,
  intervalMs: number,
  logger: Logger,
  cleanups: Cleanups,
): Promise<void> {
  const { jobs, studies } = domain;
  const enqueue = (id: string) => jobs.enqueue(id);
  const count = await requeueQueuedJobs(jobs.store, enqueue, 0).catch((err: unknown) => {
    logger.warn({ err: (err as Error).message }, 'queued-job sweep failed');
    return 0;
  });
  if (count > 0) logger.info({ count }, 'queued fine-tune jobs enqueued again at start');
  const queued = startQueuedSweep({ store: jobs.store, enqueue, logger, intervalMs });
  cleanups.push({ name: 'queued sweep', fn: () => queued.stop() });
  const studySweep = () =>
    studies
      .recover()
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'study sweep failed'));
  await studySweep();
  const timer = setInterval(() => void studySweep(), intervalMs);
  timer.unref();
  cleanups.push({ name: 'study sweep', fn: () => clearInterval(timer) });
}

function startGrpcServer(
  options: FinetuneServiceOptions,
  base: { client: RegistryClient; logger: Logger },
  domain: Domain,
): Promise<RunningService> {
  const { client, logger } = base;
  return createService({
    name: 'finetune',
    host: options.host,
    port: options.port ?? DEFAULT_FINETUNE_PORT,
    services: [
      {
        definition: finetuneProto.FinetuneServiceService,
        implementation: createFinetuneHandlers({
          jobs: domain.jobs,
          triggers: domain.triggers,
          predictor: domain.predictor,
          client,
          datasets: domain.datasets,
          studies: domain.studies,
          studyEvents: domain.studyEvents,
        }),
        roles: finetuneRpcRoles,
      },
    ],
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    security: options.security,
  });
}
