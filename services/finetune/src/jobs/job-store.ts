// Fine-tune job records in the one job model (libs/jobs): a JetStream KV bucket that the API and every
// worker open. Workers claim, report progress and settle there themselves, so they need neither the API
// nor its SQLite file to run a job.
import { createHash } from 'node:crypto';
import { SERVICE_SUBJECTS, type ConnectionState } from '@headstart/events';
import { openJobStore, type JobStore } from '@headstart/jobs';
import { finetune } from '@headstart/proto';
import type { JetStreamClient, JetStreamManager } from 'nats';

export type FinetuneJobStore = JobStore<finetune.Finetune>;

/** The bucket of fine-tune job records (the NATS permissions name it: libs/events SERVICE_SUBJECTS). */
export const FINETUNE_JOBS_BUCKET = SERVICE_SUBJECTS.finetuneJobsBucket;

/** What a job is called in the store's errors and the delivery's logs. */
export const JOB_NOUN = 'fine-tune';

export function openFinetuneJobStore(
  js: JetStreamClient,
  options: { replicas?: number; jsm?: JetStreamManager; connection?: ConnectionState } = {},
): Promise<FinetuneJobStore> {
  return openJobStore<finetune.Finetune>(js, {
    bucket: FINETUNE_JOBS_BUCKET,
    codec: finetune.Finetune,
    description: 'Fine-tune job records (headstart.finetune.v1.Finetune, JSON) and idempotency keys',
    noun: JOB_NOUN,
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.jsm ? { jsm: options.jsm } : {}),
    ...(options.connection ? { connection: options.connection } : {}),
  });
}

/**
 * An idempotency key as a KV key token: `<kind>-<raw>` when `raw` is made of key-safe characters, else
 * `<kind>-<sha256 of raw>` (a client's key may hold any character).
 */
export function idempotencyToken(kind: string, raw: string): string {
  if (/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return `${kind}-${raw}`;
  return `${kind}-${createHash('sha256').update(raw, 'utf8').digest('hex')}`;
}
