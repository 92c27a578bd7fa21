// The run records through libs/jobs: what callers see of a NATS outage and of a missing run, and records
// written before libs/jobs. Found by tests/faults: right after nats-server was killed and restarted,
// StartRun answered INTERNAL "internal error" (a KV write's NatsError TIMEOUT crossed the boundary as an
// unexpected error), so a client could not tell that a retry would succeed. The run records answer
// UNAVAILABLE naming the bucket for a NATS outage (libs/jobs natsFailure).
import { Code, HeadstartError } from '@headstart/errors';
import { natsFailure } from '@headstart/jobs';
import { pretrain } from '@headstart/proto';
import { startNatsServer, type NatsServerHandle } from '@headstart/testing';
import { connect, type NatsConnection } from 'nats';
import { openRunStore } from './run-records';

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

it('answers UNAVAILABLE while nats-server is down, and works again once it is back', async () => {
  // A server that is down, not electing: no need to wait out the 20 s an election may take.
  const store = await openRunStore(
    { js: nc.jetstream({ timeout: 500 }) },
    {
      bucket: 'RUNS_OUTAGE_TEST',
      leaderlessBudgetMs: 1_000,
    },
  );
  const run = pretrain.Run.fromPartial({ id: 'run-outage' });
  await store.create({ job: run });

  await nats.kill();
  for (const attempt of [() => store.get('run-outage'), () => store.create({ job: { ...run, id: 'b' } })]) {
    const err = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeadstartError);
    expect((err as HeadstartError).code).toBe(Code.UNAVAILABLE);
    expect((err as HeadstartError).message).toMatch(
      /^the run records \(NATS key-value bucket RUNS_OUTAGE_TEST\) are unavailable \(\w+\); retry$/,
    );
  }

  await nats.start();
  // The client reconnects on its own; the record written before the outage is there.
  let found: Awaited<ReturnType<typeof store.get>>;
  for (;;) {
    try {
      found = await store.get('run-outage');
      break;
    } catch (err) {
      if (!(err instanceof HeadstartError && err.code === Code.UNAVAILABLE)) throw err;
    }
  }
  expect(found?.job.id).toBe('run-outage');
}, 30_000);

it('answers NOT_FOUND naming the run for an update of a run that does not exist', async () => {
  const store = await openRunStore({ js: nc.jetstream() }, { bucket: 'RUNS_OUTAGE_TEST' });
  const err = await store
    .update('run-none', () => undefined)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(HeadstartError);
  expect((err as HeadstartError).code).toBe(Code.NOT_FOUND);
  expect((err as HeadstartError).message).toBe('run run-none does not exist');
});

it('reads a run recorded before libs/jobs ({run, lease})', async () => {
  const js = nc.jetstream();
  const store = await openRunStore({ js }, { bucket: 'RUNS_LEGACY_TEST' });
  const run = pretrain.Run.fromPartial({ id: 'run-legacy', step: 12 });
  const lease = { worker: 'w1', streamSequence: 4, heartbeatAt: 1_000 };
  const kv = await js.views.kv('RUNS_LEGACY_TEST');
  await kv.put('runs.run-legacy', JSON.stringify({ run: pretrain.Run.toJSON(run), lease }));
  expect(await store.get('run-legacy')).toMatchObject({ job: { id: 'run-legacy', step: 12 }, lease });
  expect((await store.list()).map((r) => r.id)).toEqual(['run-legacy']);
});

it('passes other errors through', () => {
  const conflict = Object.assign(new Error('wrong last sequence'), { code: '400' });
  expect(natsFailure(conflict, 'B')).toBe(conflict);
  const timeout = natsFailure(Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }), 'B');
  expect((timeout as HeadstartError).code).toBe(Code.UNAVAILABLE);
});
