// Ingest job records: one JetStream key-value bucket that every ingest replica reads and writes (libs/jobs),
// so a job does not depend on the replica that accepted it.
import { SERVICE_SUBJECTS, type EventBus } from '@headstart/events';
import { openJobStore, type JobStore } from '@headstart/jobs';
import { common, ingest } from '@headstart/proto';
import { newId } from '../ids';

/** The bucket of the job records (every replica must use the same; the NATS user ingest may use it). */
export const DEFAULT_JOBS_BUCKET = SERVICE_SUBJECTS.ingestJobsBucket;

export type IngestJobStore = JobStore<ingest.Job>;

/** Opens (creating if needed) the bucket; `replicas` raises an existing bucket's, never lowers them. */
export function openIngestJobStore(
  bus: Pick<EventBus, 'js' | 'jsm'> & Partial<Pick<EventBus, 'connection'>>,
  options: { bucket?: string | undefined; replicas?: number | undefined } = {},
): Promise<IngestJobStore> {
  return openJobStore<ingest.Job>(bus.js, {
    bucket: options.bucket ?? DEFAULT_JOBS_BUCKET,
    codec: ingest.Job,
    description: 'Headstart ingest jobs (tokenizer training, tokenization): one record per job',
    noun: 'job',
    replicas: options.replicas ?? 1,
    jsm: bus.jsm,
    ...(bus.connection ? { connection: bus.connection } : {}),
  });
}

/** A new QUEUED job for the request `spec` (references already pinned). */
export function newJob(kind: ingest.JobKind, spec: ingest.Job['spec'], now = Date.now()): ingest.Job {
  const at = new Date(now);
  return ingest.Job.fromPartial({
    id: newId(now),
    state: common.JobState.JOB_STATE_QUEUED,
    progress: { done: 0, total: 0, unit: '', etaSeconds: 0 },
    kind,
    spec,
    phase: 'queued',
    createdAt: at,
    updatedAt: at,
  });
}
