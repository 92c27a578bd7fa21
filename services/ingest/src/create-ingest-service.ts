import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { type EventBus } from '@headstart/events';
import { ingest as ingestProto } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import {
  clientSecurityOf,
  createLogger,
  createService,
  createStartupCleanups,
  lockDataDir,
  connectServiceBus,
} from '@headstart/service-kit';
import { createIngestHandlers } from './grpc/ingest-handlers';
import { ingestRpcRoles } from './grpc/rpc-roles';
import { startIngestJobs, type IngestJobs } from './jobs/ingest-jobs';
import { tokenizeRunner } from './jobs/tokenize';
import { trainTokenizerRunner } from './jobs/train-tokenizer';
import type { IngestQueueOptions } from './jobs/work-type';

export const DEFAULT_INGEST_PORT = 50052;
/** 8 GiB of decompressed text: the registry's default artifact limit, which the normalised corpus must fit. */
export const DEFAULT_MAX_CORPUS_BYTES = 8 * 1024 ** 3;
/** The largest `max_line_bytes` a client may ask for (and the largest paragraph of the text format). */
export const DEFAULT_LINE_LIMIT_BYTES = 64 << 20;

export interface IngestServiceOptions {
  /** TLS, authentication (gRPC and NATS) and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  /** Holds `ingest-scratch/` (uploads and jobs in progress on this replica). */
  dataDir: string;
  /** host:port of the registry everything is read from and registered in. */
  registryAddress: string;
  /** NATS: the job records (a key-value bucket) and the ingest work queue, shared by every replica. */
  natsUrl: string;
  /** Replicas of the JetStream streams and the jobs bucket this creates (3 on a cluster). @default 1 */
  natsStreamReplicas?: number;
  /** JetStream key-value bucket of the job records. @default 'HEADSTART_INGEST_JOBS' */
  jobsBucket?: string;
  /** The work queue (defaults: the topology's ingest work type). */
  queue?: IngestQueueOptions;
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port. @default 50052 */
  port?: number;
  /** Jobs this replica's worker runs at once (each is CPU-bound on the event loop's thread); 0: no worker. @default 1 */
  concurrency?: number;
  /** Queued jobs before a submit is refused with RESOURCE_EXHAUSTED. @default 1000 */
  maxQueued?: number;
  /** Finished jobs are removed this long after they finished. @default 30 days */
  retentionMs?: number;
  /** @default 8 GiB */
  maxCorpusBytes?: number;
  /** @default 64 MiB */
  lineLimitBytes?: number;
  /** How long CancelJob waits for a running job to stop. @default 30 s */
  cancelWaitMs?: number;
  /** How often a running job writes its progress (what WatchJob streams) and heartbeats. @default 1 s */
  progressIntervalMs?: number;
  /** How often QUEUED jobs are put on the queue again (the queue drops duplicates); 0 disables. @default 60 s */
  requeueSweepMs?: number;
  /** How often the work stream is swept for jobs whose workers all died (also at start). @default 60 s */
  exhaustedSweepMs?: number;
  /** Largest gRPC message, i.e. the largest upload chunk. @default the kit's 8 MiB */
  maxReceiveMessageBytes?: number;
  /** How long shutdown lets calls finish. @default the kit's 10 s */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export interface IngestServiceHandle {
  readonly port: number;
  readonly address: string;
  readonly service: RunningService;
  /** The job records, calls, this replica's worker and the sweeps. */
  readonly jobs: IngestJobs;
  readonly bus: EventBus;
  /** Ends watches, hands running jobs back to the queue, drains calls, closes NATS and the lock. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts the ingest service in this process: locks the data directory, connects to NATS (job records and
 * work queue), starts this replica's worker and serves IngestService (with health and reflection).
 */
export async function createIngestService(options: IngestServiceOptions): Promise<IngestServiceHandle> {
  const logger = options.logger ?? createLogger({ name: 'ingest' });
  const dataDir = path.resolve(options.dataDir);
  const cleanups = createStartupCleanups();
  try {
    // Two replicas on one directory would empty each other's scratch space. `ingest.lock` leaves room
    // for a registry sharing the directory (its lock is LOCK).
    const lock = await lockDataDir(dataDir, { fileName: 'ingest.lock', holder: 'ingest service' });
    cleanups.add('data directory lock', () => lock.release());
    const scratch = path.join(dataDir, 'ingest-scratch');
    const uploadsDir = path.join(scratch, 'uploads');
    const jobsDir = path.join(scratch, 'jobs');
    // What a crash left behind: nothing in it can be resumed (a job starts over).
    for (const dir of [uploadsDir, jobsDir]) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir, { recursive: true });
    }
    const replicas = options.natsStreamReplicas ?? 1;
    const bus = await connectServiceBus({
      natsUrl: options.natsUrl,
      name: 'ingest',
      logger,
      security: options.security,
      streamReplicas: replicas,
    });
    cleanups.add('events', () => bus.close({ graceMs: 1_000 }));
    const registry: RegistryClient = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    cleanups.add('registry client', () => registry.close());

    const jobs = await startIngestJobs({
      bus,
      jobsBucket: options.jobsBucket,
      replicas,
      queue: options.queue,
      runners: {
        [ingestProto.JobKind.JOB_KIND_TRAIN_TOKENIZER]: trainTokenizerRunner(registry),
        [ingestProto.JobKind.JOB_KIND_TOKENIZE]: tokenizeRunner(registry),
      },
      workDir: jobsDir,
      logger,
      concurrency: options.concurrency,
      maxQueued: options.maxQueued,
      retentionMs: options.retentionMs,
      cancelWaitMs: options.cancelWaitMs,
      progressIntervalMs: options.progressIntervalMs,
      requeueSweepMs: options.requeueSweepMs,
      exhaustedSweepMs: options.exhaustedSweepMs,
    });
    cleanups.add('jobs', () => jobs.stop());

    const service = await createService({
      name: 'ingest',
      host: options.host,
      port: options.port ?? DEFAULT_INGEST_PORT,
      services: [
        {
          definition: ingestProto.IngestServiceService,
          implementation: createIngestHandlers({
            registry,
            jobs: jobs.api,
            uploadsDir,
            limits: {
              maxCorpusBytes: options.maxCorpusBytes ?? DEFAULT_MAX_CORPUS_BYTES,
              maxLineBytes: options.lineLimitBytes ?? DEFAULT_LINE_LIMIT_BYTES,
            },
          }),
          roles: ingestRpcRoles,
        },
      ],
      logger,
      drainTimeoutMs: options.drainTimeoutMs,
      maxReceiveMessageBytes: options.maxReceiveMessageBytes,
      security: options.security,
    });
    // Hooks run in reverse order: jobs, registry client, events, lock.
    cleanups.handTo(service);
    return {
      port: service.port,
      address: service.address,
      service,
      jobs,
      bus,
      // The jobs first: watches end (a client may watch again through another replica) and running jobs
      // go back to the queue for any replica; then the calls drain.
      shutdown: async (reason) => {
        await jobs.stop();
        await service.shutdown(reason);
      },
    };
  } catch (err) {
    await cleanups.undo();
    throw err;
  }
}
