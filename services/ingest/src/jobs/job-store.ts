import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { invalidArgument } from '@headstart/errors';
import { common, ingest } from '@headstart/proto';

const { JobState } = common;

/** Schema migrations, applied in order; `user_version` records how many ran. */
const MIGRATIONS = [
  `CREATE TABLE jobs (
     id          TEXT PRIMARY KEY,
     state       INTEGER NOT NULL,
     created_ms  INTEGER NOT NULL,
     finished_ms INTEGER,
     job         BLOB NOT NULL   -- the whole headstart.ingest.v1.Job, protobuf-encoded
   ) STRICT;
   CREATE INDEX jobs_by_created ON jobs (created_ms DESC, id DESC);
   CREATE INDEX jobs_by_state ON jobs (state, created_ms);`,
  // The W3C trace context (traceparent, tracestate) of the request that submitted the job, as JSON: the
  // job's span joins that trace however late it runs, after a restart too.
  `ALTER TABLE jobs ADD COLUMN trace TEXT NOT NULL DEFAULT '{}';`,
];

export const UNFINISHED_STATES: readonly common.JobState[] = [
  JobState.JOB_STATE_QUEUED,
  JobState.JOB_STATE_RUNNING,
];

export function isTerminal(state: common.JobState): boolean {
  return !UNFINISHED_STATES.includes(state);
}

export interface JobPage {
  jobs: ingest.Job[];
  nextPageToken: string;
}

interface Row {
  job: Buffer;
}

function encodeToken(createdMs: number, id: string): string {
  return Buffer.from(`${createdMs}:${id}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): { createdMs: number; id: string } {
  const [ms, id] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const createdMs = Number(ms);
  if (id === undefined || !Number.isSafeInteger(createdMs)) {
    throw invalidArgument('page_token is not one this service issued', { field: 'page_token' });
  }
  return { createdMs, id };
}

/**
 * Jobs in a SQLite file (WAL): each row keeps the whole Job message, plus the columns queries need.
 * It survives restarts, so a job's outcome can still be read later and unfinished jobs can be resumed.
 */
export class JobStore {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): JobStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      const current = Number(db.pragma('user_version', { simple: true }));
      if (current > MIGRATIONS.length) {
        throw new Error(`job database schema ${current} is newer than this ingest service understands`);
      }
      for (let v = current; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db.exec(MIGRATIONS[v]!);
          db.pragma(`user_version = ${v + 1}`);
        }).immediate();
      }
      return new JobStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Inserts or replaces the job. */
  save(job: ingest.Job): void {
    this.db
      .prepare(
        `INSERT INTO jobs (id, state, created_ms, finished_ms, job) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, finished_ms = excluded.finished_ms, job = excluded.job`,
      )
      .run(
        job.id,
        job.state,
        job.createdAt?.getTime() ?? Date.now(),
        job.finishedAt?.getTime() ?? null,
        Buffer.from(ingest.Job.encode(job).finish()),
      );
  }

  /** Records the trace context of the request that submitted the job (see `trace`). */
  setTrace(id: string, headers: Readonly<Record<string, string>>): void {
    this.db.prepare('UPDATE jobs SET trace = ? WHERE id = ?').run(JSON.stringify(headers), id);
  }

  /** The trace context stored with the job; empty when none was. */
  trace(id: string): Record<string, string> {
    const row = this.db.prepare('SELECT trace FROM jobs WHERE id = ?').get(id) as
      { trace: string } | undefined;
    if (row === undefined) return {};
    try {
      const value = JSON.parse(row.trace) as unknown;
      return value !== null && typeof value === 'object' ? (value as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  get(id: string): ingest.Job | undefined {
    const row = this.db.prepare('SELECT job FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : ingest.Job.decode(row.job);
  }

  /** Queued and running jobs, oldest first. */
  unfinished(): ingest.Job[] {
    const rows = this.db
      .prepare(`SELECT job FROM jobs WHERE state IN (?, ?) ORDER BY created_ms, id`)
      .all(...UNFINISHED_STATES) as Row[];
    return rows.map((r) => ingest.Job.decode(r.job));
  }

  /** Newest first, optionally in one state. */
  list(state: common.JobState | undefined, pageSize: number, pageToken: string): JobPage {
    const after = pageToken === '' ? undefined : decodeToken(pageToken);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (state !== undefined) {
      where.push('state = ?');
      params.push(state);
    }
    if (after !== undefined) {
      where.push('(created_ms, id) < (?, ?)');
      params.push(after.createdMs, after.id);
    }
    const sql =
      `SELECT job, created_ms FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY created_ms DESC, id DESC LIMIT ?';
    const rows = this.db.prepare(sql).all(...params, pageSize + 1) as (Row & { created_ms: number })[];
    const jobs = rows.slice(0, pageSize).map((r) => ingest.Job.decode(r.job));
    const last = jobs[jobs.length - 1];
    const more = rows.length > pageSize && last !== undefined;
    return { jobs, nextPageToken: more ? encodeToken(last.createdAt!.getTime(), last.id) : '' };
  }

  /** Forgets finished jobs older than the cut-off; returns how many. */
  prune(finishedBeforeMs: number): number {
    return this.db
      .prepare('DELETE FROM jobs WHERE finished_ms IS NOT NULL AND finished_ms < ?')
      .run(finishedBeforeMs).changes;
  }

  close(): void {
    this.db.close();
  }
}
