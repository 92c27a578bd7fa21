// Records written before the job model (pretrain's run records kept the job under `run`) stay readable
// through `legacyJobKey`, and are written back in the job model's shape on their next update.
import { common, pretrain } from '@headstart/proto';
import { startNatsServer, type NatsServerHandle } from '@headstart/testing';
import { connect, type NatsConnection } from 'nats';
import { openJobStore } from './job-store';

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

it('reads a record kept under the legacy key, and rewrites it as {job, lease} on update', async () => {
  const js = nc.jetstream();
  const store = await openJobStore(js, {
    bucket: 'JOBS_LEGACY_TEST',
    codec: pretrain.Run,
    description: 'jobs library tests',
    noun: 'run',
    keyPrefix: 'runs',
    legacyJobKey: 'run',
  });
  const kv = await js.views.kv('JOBS_LEGACY_TEST');
  const old = pretrain.Run.fromPartial({ id: 'run-old', state: common.JobState.JOB_STATE_RUNNING, step: 7 });
  const lease = { worker: 'w1', streamSequence: 3, heartbeatAt: 1_000 };
  await kv.put('runs.run-old', JSON.stringify({ run: pretrain.Run.toJSON(old), lease }));

  expect(await store.get('run-old')).toMatchObject({ job: { id: 'run-old', step: 7 }, lease });
  expect((await store.list()).map((run) => run.id)).toEqual(['run-old']);

  await store.update('run-old', ({ job }) => ({ job: { ...job, step: 8 }, lease }));
  const raw = JSON.parse(Buffer.from((await kv.get('runs.run-old'))?.value ?? []).toString('utf8')) as {
    job?: { step?: number };
    run?: unknown;
  };
  expect(raw.job?.step).toBe(8);
  expect(raw.run).toBeUndefined();
});
