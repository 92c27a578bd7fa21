// The upgrade from finetune.db's jobs table to the job store, against a real nats-server and a file
// written with the earlier release's schema.
import Database from 'better-sqlite3';
import { common, finetune } from '@headstart/proto';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { connect, type NatsConnection } from 'nats';
import { idempotencyToken, openFinetuneJobStore, type FinetuneJobStore } from '../jobs/job-store';
import { FinetuneStore } from './finetune-store';
import { importLegacyJobs } from './legacy-jobs';
import { MIGRATIONS } from './migrations';

const { JobState } = common;

let nats: NatsServerHandle;
let nc: NatsConnection;
let jobs: FinetuneJobStore;
let dir: TempDir;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  jobs = await openFinetuneJobStore(nc.jetstream());
  dir = await makeTempDir('legacy-jobs');
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
  await dir?.remove();
});

const job = (id: string, overrides: Partial<finetune.Finetune>) =>
  finetune.Finetune.fromPartial({ id, createdAt: new Date(1_000), ...overrides });

/** A finetune.db as the release with the jobs table left it. */
function writeOldFile(file: string, rows: { job: finetune.Finetune; key: string | null }[]): void {
  const db = new Database(file);
  for (const sql of MIGRATIONS.slice(0, 4)) db.exec(sql);
  db.pragma('user_version = 4');
  const insert = db.prepare(
    `INSERT INTO finetunes (id, created_ms, state, base_model_name, base_version_id, trigger_id,
                            idempotency_key, enqueued, finetune, study_id)
     VALUES (?, 0, ?, 'bert', ?, ?, ?, 1, ?, ?)`,
  );
  for (const { job: j, key } of rows) {
    insert.run(
      j.id,
      j.state,
      j.baseVersion?.versionId ?? '',
      j.triggerId || null,
      key,
      Buffer.from(finetune.Finetune.encode(j).finish()),
      j.studyId || null,
    );
  }
  db.close();
}

it('copies every job with its idempotency keys, puts unfinished ones back in the queue, then drops the table', async () => {
  const file = `${dir.path}/finetune.db`;
  const base = { versionId: 'v-1', modelName: 'bert', version: 1 };
  writeOldFile(file, [
    {
      job: job('ft_trig', { state: JobState.JOB_STATE_SUCCEEDED, triggerId: 'tr_1', baseVersion: base }),
      key: null,
    },
    {
      job: job('ft_run', { state: JobState.JOB_STATE_RUNNING, worker: 'old-pod', attempts: 1 }),
      key: 'user key/1',
    },
    { job: job('ft_trial', { state: JobState.JOB_STATE_QUEUED, studyId: 'st_1' }), key: 'st_1/scratch/50/1' },
  ]);

  expect(await importLegacyJobs(file, jobs)).toBe(3);
  // A second start before the table is dropped (the first one stopped after the copy) changes nothing.
  expect(await importLegacyJobs(file, jobs)).toBe(3);
  expect((await jobs.get('ft_trig'))?.job.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  expect((await jobs.get('ft_run'))?.job).toMatchObject({
    state: JobState.JOB_STATE_QUEUED,
    worker: '',
    attempts: 1,
  });
  expect((await jobs.get('ft_trial'))?.job.state).toBe(JobState.JOB_STATE_QUEUED);
  // The keys now bind what the table's constraints bound.
  expect(await jobs.claimIdempotencyKey(idempotencyToken('trigger', 'tr_1-v-1'), 'other')).toBe('ft_trig');
  expect(await jobs.claimIdempotencyKey(idempotencyToken('start', 'user key/1'), 'other')).toBe('ft_run');
  expect(await jobs.claimIdempotencyKey(idempotencyToken('trial', 'st_1/scratch/50/1'), 'other')).toBe(
    'ft_trial',
  );

  FinetuneStore.open(file).close();
  expect(await importLegacyJobs(file, jobs)).toBe(0);
});
