import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { common, finetune } from '@headstart/proto';
import { MIGRATIONS } from './migrations';
import { keysetPage } from './page-token';
import { StudyStore } from './study-store';

const { JobState } = common;

export function isTerminal(state: common.JobState): boolean {
  return (
    state === JobState.JOB_STATE_SUCCEEDED ||
    state === JobState.JOB_STATE_FAILED ||
    state === JobState.JOB_STATE_CANCELLED
  );
}

export interface StoredJob {
  job: finetune.Finetune;
  /** The work item is on JetStream. */
  enqueued: boolean;
}

export interface InsertJobResult extends StoredJob {
  /** False when a job with the same (checkpoint version, trigger) or idempotency key existed. */
  created: boolean;
}

export interface JobQuery {
  pageSize: number;
  pageToken: string;
  state: common.JobState;
  triggerId: string;
  baseModelName: string;
}

interface JobRow {
  finetune: Buffer;
  enqueued: number;
}

const decodeJob = (row: JobRow): StoredJob => ({
  job: finetune.Finetune.decode(row.finetune),
  enqueued: row.enqueued === 1,
});
const encodeJob = (job: finetune.Finetune): Buffer => Buffer.from(finetune.Finetune.encode(job).finish());
const createdMs = (job: finetune.Finetune): number => job.createdAt?.getTime() ?? 0;

/**
 * The finetune service's durable state in one SQLite file (WAL): triggers and fine-tune jobs. Each job
 * row keeps the whole Finetune message plus the columns queries and constraints need. Single writer:
 * one finetune API process owns the file.
 */
export class FinetuneStore {
  /** Transfer studies, in the same file (a study and its trial jobs change together). */
  readonly studies: StudyStore;

  private constructor(private readonly db: Database.Database) {
    this.studies = new StudyStore(db);
  }

  static open(file: string): FinetuneStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a job row must survive a power cut once its work item may have been enqueued.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      const current = Number(db.pragma('user_version', { simple: true }));
      if (current > MIGRATIONS.length) {
        throw new Error(`finetune database schema ${current} is newer than this service understands`);
      }
      for (let v = current; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db.exec(MIGRATIONS[v] as string);
          db.pragma(`user_version = ${v + 1}`);
        }).immediate();
      }
      return new FinetuneStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- triggers ----

  insertTrigger(trigger: finetune.Trigger): void {
    this.db
      .prepare('INSERT INTO triggers (id, base_model_name, created_ms, trigger) VALUES (?, ?, ?, ?)')
      .run(
        trigger.id,
        trigger.baseModelName,
        trigger.createdAt?.getTime() ?? 0,
        Buffer.from(finetune.Trigger.encode({ ...trigger, firedCount: 0, lastError: '' }).finish()),
      );
  }

  getTrigger(id: string): finetune.Trigger | undefined {
    const row = this.db.prepare('SELECT trigger FROM triggers WHERE id = ?').get(id) as
      { trigger: Buffer } | undefined;
    return row ? this.withFiredCount(finetune.Trigger.decode(row.trigger)) : undefined;
  }

  /** Triggers of one base model (or all), oldest first. */
  listTriggers(baseModelName = ''): finetune.Trigger[] {
    const rows = (
      baseModelName === ''
        ? this.db.prepare('SELECT trigger FROM triggers ORDER BY created_ms, id').all()
        : this.db
            .prepare('SELECT trigger FROM triggers WHERE base_model_name = ? ORDER BY created_ms, id')
            .all(baseModelName)
    ) as { trigger: Buffer }[];
    return rows.map((r) => this.withFiredCount(finetune.Trigger.decode(r.trigger)));
  }

  deleteTrigger(id: string): boolean {
    return this.db.prepare('DELETE FROM triggers WHERE id = ?').run(id).changes > 0;
  }

  /** What the trigger fired so far: its jobs, studies and adaptation runs; and its last run's error. */
  private withFiredCount(trigger: finetune.Trigger): finetune.Trigger {
    const count = (sql: string) => (this.db.prepare(sql).get(trigger.id) as { n: number }).n;
    const firedCount =
      count('SELECT COUNT(*) AS n FROM finetunes WHERE trigger_id = ?') +
      count('SELECT COUNT(*) AS n FROM studies WHERE trigger_id = ?') +
      count("SELECT COUNT(*) AS n FROM trigger_runs WHERE trigger_id = ? AND run_id <> ''");
    const last = this.db
      .prepare('SELECT error FROM trigger_runs WHERE trigger_id = ? ORDER BY created_ms DESC LIMIT 1')
      .get(trigger.id) as { error: string } | undefined;
    return { ...trigger, firedCount, lastError: last?.error ?? '' };
  }

  /** Records the run an adaptation trigger started for a version (run id ''; error: it could not). */
  recordTriggeredRun(
    triggerId: string,
    baseVersionId: string,
    outcome: { runId: string; error: string },
    now = new Date(),
  ): void {
    this.db
      .prepare(
        `INSERT INTO trigger_runs (trigger_id, base_version_id, run_id, error, created_ms)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (trigger_id, base_version_id) DO UPDATE SET run_id = excluded.run_id,
           error = excluded.error, created_ms = excluded.created_ms`,
      )
      .run(triggerId, baseVersionId, outcome.runId, outcome.error, now.getTime());
  }

  /** The run an adaptation trigger started for a version, if it did. */
  findTriggeredRun(triggerId: string, baseVersionId: string): string | undefined {
    const row = this.db
      .prepare(
        "SELECT run_id FROM trigger_runs WHERE trigger_id = ? AND base_version_id = ? AND run_id <> ''",
      )
      .get(triggerId, baseVersionId) as { run_id: string } | undefined;
    return row?.run_id;
  }

  // ---- jobs ----

  /** The job a trigger created for a checkpoint version, if any. */
  findTriggeredJob(baseVersionId: string, triggerId: string): StoredJob | undefined {
    const row = this.db
      .prepare('SELECT finetune, enqueued FROM finetunes WHERE base_version_id = ? AND trigger_id = ?')
      .get(baseVersionId, triggerId) as JobRow | undefined;
    return row ? decodeJob(row) : undefined;
  }

  findByIdempotencyKey(key: string): StoredJob | undefined {
    const row = this.db
      .prepare('SELECT finetune, enqueued FROM finetunes WHERE idempotency_key = ?')
      .get(key) as JobRow | undefined;
    return row ? decodeJob(row) : undefined;
  }

  /**
   * Inserts a job unless one exists for the same (base version, trigger) or idempotency key; returns
   * whichever is stored. `enqueued` starts false unless the job is already terminal (nothing to run).
   * `trace` is the creating request's W3C context (see `jobTrace`).
   */
  insertJob(
    job: finetune.Finetune,
    idempotencyKey = '',
    trace: Readonly<Record<string, string>> = {},
  ): InsertJobResult {
    const baseVersionId = job.baseVersion?.versionId ?? '';
    const insert = this.db.prepare(
      `INSERT INTO finetunes (id, created_ms, state, base_model_name, base_version_id, trigger_id,
                              idempotency_key, enqueued, finetune, study_id, trace)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    return this.db
      .transaction((): InsertJobResult => {
        const result = insert.run(
          job.id,
          createdMs(job),
          job.state,
          job.baseVersion?.modelName ?? '',
          baseVersionId,
          job.triggerId === '' ? null : job.triggerId,
          idempotencyKey === '' ? null : idempotencyKey,
          isTerminal(job.state) ? 1 : 0,
          encodeJob(job),
          job.studyId === '' ? null : job.studyId,
          JSON.stringify(trace),
        );
        if (result.changes === 1) return { job, enqueued: isTerminal(job.state), created: true };
        const existing =
          (job.triggerId !== '' ? this.findTriggeredJob(baseVersionId, job.triggerId) : undefined) ??
          (idempotencyKey !== '' ? this.findByIdempotencyKey(idempotencyKey) : undefined);
        if (!existing) throw new Error(`job ${job.id} conflicts with a row that cannot be found`);
        return { ...existing, created: false };
      })
      .immediate();
  }

  /** The trace context stored with the job (`insertJob`'s `trace`); empty when none was. */
  jobTrace(id: string): Record<string, string> {
    const row = this.db.prepare('SELECT trace FROM finetunes WHERE id = ?').get(id) as
      { trace: string } | undefined;
    if (!row) return {};
    try {
      const value = JSON.parse(row.trace) as unknown;
      return value !== null && typeof value === 'object' ? (value as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  getJob(id: string): StoredJob | undefined {
    const row = this.db.prepare('SELECT finetune, enqueued FROM finetunes WHERE id = ?').get(id) as
      JobRow | undefined;
    return row ? decodeJob(row) : undefined;
  }

  /**
   * Read-modify-write of one job in a transaction. `change` returns the new job, or undefined to leave it
   * as is. Returns the job after the change (undefined when there is no such job).
   */
  updateJob(
    id: string,
    change: (job: finetune.Finetune) => finetune.Finetune | undefined,
  ): { job: finetune.Finetune; changed: boolean } | undefined {
    const write = this.db.prepare('UPDATE finetunes SET state = ?, finetune = ? WHERE id = ?');
    return this.db
      .transaction(() => {
        const stored = this.getJob(id);
        if (!stored) return undefined;
        const next = change(stored.job);
        if (!next) return { job: stored.job, changed: false };
        write.run(next.state, encodeJob(next), id);
        return { job: next, changed: true };
      })
      .immediate();
  }

  /** Records that the work item is stored on JetStream (the outbox flag). */
  markEnqueued(id: string, queuedAt: Date): finetune.Finetune | undefined {
    const write = this.db.prepare('UPDATE finetunes SET enqueued = 1, finetune = ? WHERE id = ?');
    return this.db
      .transaction(() => {
        const stored = this.getJob(id);
        if (!stored) return undefined;
        const job = stored.job.queuedAt ? stored.job : { ...stored.job, queuedAt };
        write.run(encodeJob(job), id);
        return job;
      })
      .immediate();
  }

  /** Jobs whose work item may not be on JetStream yet (a crash between insert and enqueue), oldest first. */
  jobsToEnqueue(limit = 100): finetune.Finetune[] {
    const rows = this.db
      .prepare('SELECT finetune, enqueued FROM finetunes WHERE enqueued = 0 ORDER BY created_ms LIMIT ?')
      .all(limit) as JobRow[];
    return rows.map((r) => decodeJob(r).job);
  }

  /** The trial jobs of a study, oldest first. */
  jobsOfStudy(studyId: string): finetune.Finetune[] {
    const rows = this.db
      .prepare('SELECT finetune, enqueued FROM finetunes WHERE study_id = ? ORDER BY created_ms, id')
      .all(studyId) as JobRow[];
    return rows.map((r) => decodeJob(r).job);
  }

  /** Unfinished jobs (queued or running), oldest first. */
  unfinishedJobs(): finetune.Finetune[] {
    const rows = this.db
      .prepare('SELECT finetune, enqueued FROM finetunes WHERE state IN (?, ?) ORDER BY created_ms')
      .all(JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING) as JobRow[];
    return rows.map((r) => decodeJob(r).job);
  }

  listJobs(query: JobQuery): { finetunes: finetune.Finetune[]; nextPageToken: string } {
    const state = query.state === JobState.JOB_STATE_UNSPECIFIED ? undefined : query.state;
    const { rows, nextPageToken } = keysetPage<JobRow & { id: string; created_ms: number }>(
      this.db,
      {
        table: 'finetunes',
        columns: 'finetune, enqueued',
        filters: { state, trigger_id: query.triggerId, base_model_name: query.baseModelName },
      },
      query,
    );
    return { finetunes: rows.map((r) => decodeJob(r).job), nextPageToken };
  }
}
