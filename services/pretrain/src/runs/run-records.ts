// Run records: pretrain's jobs in a JetStream key-value bucket (libs/jobs), one key per run (`runs.<id>`),
// shared by the API replicas and every worker. This file only says which bucket and how a run is stored.
import type { EventBus } from '@headstart/events';
import type { JobStore, StoredJob } from '@headstart/jobs';
import { openJobStore } from '@headstart/jobs';
import { pretrain } from '@headstart/proto';

export const DEFAULT_RUNS_BUCKET = 'HEADSTART_PRETRAIN_RUNS';

export type RunStore = JobStore<pretrain.Run>;
export type StoredRun = StoredJob<pretrain.Run>;

export interface RunRecordsOptions {
  /** @default 'HEADSTART_PRETRAIN_RUNS' */
  bucket?: string;
  /** Replicas of the bucket's stream (3 on a cluster). @default 1 */
  replicas?: number;
  /** How long a call rides out a moment without a JetStream leader before UNAVAILABLE. @default 20 s */
  leaderlessBudgetMs?: number;
}

/**
 * Where the records are: a service's bus. Its manager raises an existing bucket's replicas; with its
 * connection, calls wait for a NATS reconnect instead of losing their reply to it.
 */
export type RunStoreNats = Pick<EventBus, 'js'> & Partial<Pick<EventBus, 'jsm' | 'connection'>>;

/** Opens (creating if needed) the runs bucket; errors name a "run" ("run X does not exist"). */
export function openRunStore(nats: RunStoreNats, options: RunRecordsOptions = {}): Promise<RunStore> {
  const { bucket = DEFAULT_RUNS_BUCKET, ...rest } = options;
  return openJobStore(nats.js, {
    bucket,
    codec: pretrain.Run,
    noun: 'run',
    keyPrefix: 'runs',
    // Records written before libs/jobs: {run, lease}.
    legacyJobKey: 'run',
    description:
      'Pre-training runs: one record per run (state, progress, lease), written by API and workers.',
    ...(nats.jsm ? { jsm: nats.jsm } : {}),
    ...(nats.connection ? { connection: nats.connection } : {}),
    ...rest,
  });
}
