import * as path from 'node:path';
import { ingest as ingestProto } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger, RunningService, SecuritySettings } from '@headstart/service-kit';
import {
  clientSecurityOf,
  createLogger,
  createService,
  createStartupCleanups,
  lockDataDir,
} from '@headstart/service-kit';
import * as fs from 'node:fs/promises';
import { createIngestHandlers } from './grpc/ingest-handlers';
import { JobManager } from './jobs/job-manager';
import { JobStore } from './jobs/job-store';
import { tokenizeRunner } from './jobs/tokenize';
import { trainTokenizerRunner } from './jobs/train-tokenizer';
import { ingestRpcRoles } from './grpc/rpc-roles';

export const DEFAULT_INGEST_PORT = 50052;
/** 8 GiB of decompressed text: the registry's default artifact limit, which the normalised corpus must fit. */
export const DEFAULT_MAX_CORPUS_BYTES = 8 * 1024 ** 3;
/** The largest `max_line_bytes` a client may ask for (and the largest paragraph of the text format). */
export const DEFAULT_LINE_LIMIT_BYTES = 64 << 20;

export interface IngestServiceOptions {
  /** TLS, authentication and the token of its clients (securityOf(config)); unset: plaintext, no auth. */
  security?: SecuritySettings;
  /** Holds `ingest-jobs.db` (job states) and `ingest-scratch/` (uploads and jobs in progress). */
  dataDir: string;
  /** host:port of the registry everything is read from and registered in. */
  registryAddress: string;
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port. @default 50052 */
  port?: number;
  /** Jobs running at once (each is CPU-bound on the event loop's thread). @default 1 */
  concurrency?: number;
  /** Starts of a job before a job interrupted by crashes is failed. @default 3 */
  maxAttempts?: number;
  /** @default 8 GiB */
  maxCorpusBytes?: number;
  /** @default 64 MiB */
  lineLimitBytes?: number;
  /** How long CancelJob waits for a running job to stop. @default 30 s */
  cancelWaitMs?: number;
  /** How often WatchJob streams progress at most. @default 200 ms */
  notifyIntervalMs?: number;
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
  readonly jobs: JobManager;
  /** Drains calls, stops the jobs (they resume at the next start), closes the store and the lock. */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts the ingest service in this process: locks the data directory, opens the job store, resumes
 * unfinished jobs and serves IngestService (with health and reflection).
 */
export async function createIngestService(options: IngestServiceOptions): Promise<IngestServiceHandle> {
  const logger = options.logger ?? createLogger({ name: 'ingest' });
  const dataDir = path.resolve(options.dataDir);
  const cleanups = createStartupCleanups();
  try {
    // Two ingest services on one directory would resume the same unfinished jobs and empty each other's
    // scratch space. `ingest.lock` leaves room for a registry sharing the directory (its lock is LOCK).
    const lock = await lockDataDir(dataDir, { fileName: 'ingest.lock', holder: 'ingest service' });
    cleanups.add('data directory lock', () => lock.release());
    const store = JobStore.open(path.join(dataDir, 'ingest-jobs.db'));
    cleanups.add('job store', () => store.close());
    const registry: RegistryClient = createRegistryClient({
      address: options.registryAddress,
      ...clientSecurityOf(options.security),
    });
    cleanups.add('registry client', () => registry.close());
    const scratch = path.join(dataDir, 'ingest-scratch');
    const uploadsDir = path.join(scratch, 'uploads');
    await fs.rm(uploadsDir, { recursive: true, force: true });
    await fs.mkdir(uploadsDir, { recursive: true });

    const jobs = new JobManager({
      store,
      runners: {
        [ingestProto.JobKind.JOB_KIND_TRAIN_TOKENIZER]: trainTokenizerRunner(registry),
        [ingestProto.JobKind.JOB_KIND_TOKENIZE]: tokenizeRunner(registry),
      },
      workDir: path.join(scratch, 'jobs'),
      logger,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.cancelWaitMs === undefined ? {} : { cancelWaitMs: options.cancelWaitMs }),
      ...(options.notifyIntervalMs === undefined ? {} : { notifyIntervalMs: options.notifyIntervalMs }),
    });
    await jobs.start();
    cleanups.add('jobs', () => jobs.shutdown());

    const service = await createService({
      name: 'ingest',
      host: options.host,
      port: options.port ?? DEFAULT_INGEST_PORT,
      services: [
        {
          definition: ingestProto.IngestServiceService,
          implementation: createIngestHandlers({
            registry,
            jobs,
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
    // Hooks run in reverse order: jobs, registry client, store, lock.
    cleanups.handTo(service);
    return {
      port: service.port,
      address: service.address,
      service,
      jobs,
      shutdown: (reason) => service.shutdown(reason),
    };
  } catch (err) {
    await cleanups.undo();
    throw err;
  }
}
