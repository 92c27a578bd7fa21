import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { finetune } from '@headstart/proto';
import { MIGRATIONS } from './migrations';
import { StudyStore } from './study-store';

/**
 * The finetune API's own state in one SQLite file (WAL): triggers, the runs adaptation triggers started,
 * and studies. The fine-tune jobs are not here: they are records in the job store (jobs/job-store.ts),
 * which the workers write too. Single writer: one finetune API process owns the file.
 */
export class FinetuneStore {
  /** Transfer studies, in the same file. */
  readonly studies: StudyStore;

  private constructor(private readonly db: Database.Database) {
    this.studies = new StudyStore(db);
  }

  static open(file: string): FinetuneStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a trigger or study acknowledged to a client must survive a power cut.
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

  /**
   * What the trigger fired that this file knows of: its studies and adaptation runs (TriggerService adds
   * its jobs, from the job store); and its last run's error.
   */
  private withFiredCount(trigger: finetune.Trigger): finetune.Trigger {
    const count = (sql: string) => (this.db.prepare(sql).get(trigger.id) as { n: number }).n;
    const firedCount =
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
}
