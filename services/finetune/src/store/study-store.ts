// Studies in the finetune service's SQLite file: each row keeps the Study message (without its trials,
// which are the jobs whose study_id points at it) plus the columns queries and constraints need.
import type Database from 'better-sqlite3';
import { common, finetune } from '@headstart/proto';
import { keysetPage } from './page-token';

const { JobState } = common;

export interface StudyQuery {
  pageSize: number;
  pageToken: string;
  state: common.JobState;
  baseModelName: string;
}

const encodeStudy = (study: finetune.Study): Buffer =>
  Buffer.from(finetune.Study.encode({ ...study, trials: [] }).finish());
const decodeStudy = (row: { study: Buffer }): finetune.Study => finetune.Study.decode(row.study);

export class StudyStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Inserts a study unless one exists for the same (base version, trigger) or idempotency key; returns
   * whichever is stored, and whether this call created it.
   */
  insert(study: finetune.Study, idempotencyKey = ''): { study: finetune.Study; created: boolean } {
    const insert = this.db.prepare(
      `INSERT INTO studies (id, created_ms, state, base_model_name, base_version_id, trigger_id,
                            idempotency_key, study)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    return this.db
      .transaction(() => {
        const result = insert.run(
          study.id,
          study.createdAt?.getTime() ?? 0,
          study.state,
          study.baseVersion?.modelName ?? '',
          study.baseVersion?.versionId ?? '',
          study.triggerId === '' ? null : study.triggerId,
          idempotencyKey === '' ? null : idempotencyKey,
          encodeStudy(study),
        );
        if (result.changes === 1) return { study, created: true };
        const existing =
          (study.triggerId !== ''
            ? this.findTriggered(study.baseVersion?.versionId ?? '', study.triggerId)
            : undefined) ?? (idempotencyKey !== '' ? this.findByIdempotencyKey(idempotencyKey) : undefined);
        if (!existing) throw new Error(`study ${study.id} conflicts with a row that cannot be found`);
        return { study: existing, created: false };
      })
      .immediate();
  }

  get(id: string): finetune.Study | undefined {
    const row = this.db.prepare('SELECT study FROM studies WHERE id = ?').get(id) as
      { study: Buffer } | undefined;
    return row ? decodeStudy(row) : undefined;
  }

  findByIdempotencyKey(key: string): finetune.Study | undefined {
    const row = this.db.prepare('SELECT study FROM studies WHERE idempotency_key = ?').get(key) as
      { study: Buffer } | undefined;
    return row ? decodeStudy(row) : undefined;
  }

  findTriggered(baseVersionId: string, triggerId: string): finetune.Study | undefined {
    const row = this.db
      .prepare('SELECT study FROM studies WHERE base_version_id = ? AND trigger_id = ?')
      .get(baseVersionId, triggerId) as { study: Buffer } | undefined;
    return row ? decodeStudy(row) : undefined;
  }

  /** Read-modify-write in a transaction; `change` returns undefined to leave the study as it is. */
  update(
    id: string,
    change: (study: finetune.Study) => finetune.Study | undefined,
  ): { study: finetune.Study; changed: boolean } | undefined {
    const write = this.db.prepare('UPDATE studies SET state = ?, study = ? WHERE id = ?');
    return this.db
      .transaction(() => {
        const current = this.get(id);
        if (!current) return undefined;
        const next = change(current);
        if (!next) return { study: current, changed: false };
        write.run(next.state, encodeStudy(next), id);
        return { study: next, changed: true };
      })
      .immediate();
  }

  /** Queued or running studies, oldest first (a restarted API finishes those whose trials all ended). */
  unfinished(): finetune.Study[] {
    const rows = this.db
      .prepare('SELECT study FROM studies WHERE state IN (?, ?) ORDER BY created_ms, id')
      .all(JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING) as { study: Buffer }[];
    return rows.map(decodeStudy);
  }

  list(query: StudyQuery): { studies: finetune.Study[]; nextPageToken: string } {
    const state = query.state === JobState.JOB_STATE_UNSPECIFIED ? undefined : query.state;
    const { rows, nextPageToken } = keysetPage<{ id: string; created_ms: number; study: Buffer }>(
      this.db,
      { table: 'studies', columns: 'study', filters: { state, base_model_name: query.baseModelName } },
      query,
    );
    return { studies: rows.map(decodeStudy), nextPageToken };
  }
}
