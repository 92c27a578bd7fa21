// The upgrade from the release that kept fine-tune jobs in finetune.db: before the migration that drops
// the jobs table runs (FinetuneStore.open), every job row is copied into the job store with its
// idempotency key, so no job and no exactly-once guarantee is lost. Idempotent (a copy that was cut
// short is completed at the next start), and the table is only dropped once the copy succeeded.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Code, isHeadstartError } from '@headstart/errors';
import { isTerminal, requeued } from '@headstart/jobs';
import { finetune } from '@headstart/proto';
import { idempotencyToken, type FinetuneJobStore } from '../jobs/job-store';

/** The last schema version with the jobs table (the fifth migration drops it). */
const LAST_WITH_JOBS = 4;

interface LegacyRow {
  finetune: Buffer;
  idempotency_key: string | null;
}

/** The job rows of `file` while its schema still has them; none for a new or migrated file. */
function readLegacyRows(file: string): LegacyRow[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version === 0 || version > LAST_WITH_JOBS) return [];
    return db
      .prepare('SELECT finetune, idempotency_key FROM finetunes ORDER BY created_ms')
      .all() as LegacyRow[];
  } finally {
    db.close();
  }
}

/** The key token the row's idempotency held, in the job store's terms (jobs/job-service.ts). */
function keysOf(job: finetune.Finetune, rowKey: string | null): string[] {
  const keys: string[] = [];
  if (job.triggerId !== '' && job.baseVersion) {
    keys.push(idempotencyToken('trigger', `${job.triggerId}-${job.baseVersion.versionId}`));
  }
  if (rowKey) keys.push(idempotencyToken(job.studyId !== '' ? 'trial' : 'start', rowKey));
  return keys;
}

/**
 * Copies the jobs of an earlier release's `file` into `store`; how many. A job that was unfinished goes
 * back to the queue (its worker belonged to the old release; the queued sweep enqueues it and a worker
 * on the same data dir resumes it from its checkpoint).
 */
export async function importLegacyJobs(file: string, store: FinetuneJobStore): Promise<number> {
  const rows = readLegacyRows(file);
  for (const row of rows) {
    const stored = finetune.Finetune.decode(row.finetune);
    const job = isTerminal(stored.state) ? stored : requeued(stored);
    for (const key of keysOf(job, row.idempotency_key)) await store.claimIdempotencyKey(key, job.id);
    try {
      await store.create({ job });
    } catch (err) {
      if (!isHeadstartError(err, Code.ALREADY_EXISTS)) throw err;
    }
  }
  return rows.length;
}
