// The job model against a real nats-server: the records, the claim, and one delivery end to end through
// a real work queue consumer.
import { Code, HeadstartError } from '@headstart/errors';
import { connectEvents, defineWorkType, type EventBus } from '@headstart/events';
import { common, pretrain } from '@headstart/proto';
import { startNatsServer, waitFor, type NatsServerHandle } from '@headstart/testing';
import { decideClaim } from './claim';
import { deliverJob, type AttemptOutcome } from './deliver-job';
import { openJobStore, type JobStore } from './job-store';
import { requestCancel, updateLeased } from './leased-writes';
import { LostLeaseError } from './lease';

const { JobState } = common;
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let nats: NatsServerHandle;
let bus: EventBus;
let store: JobStore<pretrain.Run>;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await connectEvents({ servers: nats.url, name: 'jobs-test', reconnectTimeWaitMs: 100 });
  await bus.ensureTopology();
  store = await openJobStore(bus.nc.jetstream(), {
    bucket: 'JOBS_TEST',
    codec: pretrain.Run,
    description: 'jobs library tests',
    noun: 'run',
  });
});

afterAll(async () => {
  await bus?.close();
  await nats?.dispose();
});

const queued = (id: string) =>
  pretrain.Run.fromPartial({ id, state: JobState.JOB_STATE_QUEUED, createdAt: new Date() });

describe('the records', () => {
  it('creates once, reads, lists, and refuses a second create of the same id', async () => {
    await store.create({ job: queued('r1') });
    expect((await store.get('r1'))?.job.state).toBe(JobState.JOB_STATE_QUEUED);
    expect((await store.list()).map((j) => j.id)).toContain('r1');
    await expect(store.create({ job: queued('r1') })).rejects.toMatchObject({ code: Code.ALREADY_EXISTS });
    expect(await store.get('nope')).toBeUndefined();
    await expect(store.update('nope', (r) => r)).rejects.toMatchObject({ code: Code.NOT_FOUND });
  });

  it('lists each job once, and ends, while a job is rewritten continuously by a busy process', async () => {
    const ids = ['l1', 'l2', 'l3'];
    for (const id of ids) await store.create({ job: queued(id) });
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await store.update('l1', ({ job }) => ({ job: { ...job, attempts: job.attempts + 1 } }));
        // A worker's training step: the event loop is busy for tens of ms between writes.
        const until = Date.now() + 40;
        while (Date.now() < until) {
          /* busy */
        }
      }
    })();
    try {
      for (let round = 0; round < 10; round++) {
        const listed = (await store.list()).map((j) => j.id).filter((id) => id.startsWith('l'));
        expect(listed.sort()).toEqual(ids);
      }
    } finally {
      writing = false;
      await writer;
    }
  });

  it('applies concurrent updates one after the other (compare-and-set), none lost', async () => {
    await store.create({ job: queued('r2') });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.update('r2', ({ job }) => ({ job: { ...job, attempts: job.attempts + 1 } })),
      ),
    );
    expect((await store.get('r2'))?.job.attempts).toBe(10);
  });

  it('watches a record, binds idempotency keys once, and removes records', async () => {
    await store.create({ job: queued('r3') });
    const seen: common.JobState[] = [];
    const watch = await store.watch('r3', ({ job }) => seen.push(job.state));
    await requestCancel(store, 'r3');
    await waitFor(() => seen.includes(JobState.JOB_STATE_CANCELLED));
    watch.stop();
    expect(seen[0]).toBe(JobState.JOB_STATE_QUEUED);

    expect(await store.claimIdempotencyKey('k', 'r3')).toBe('r3');
    expect(await store.claimIdempotencyKey('k', 'other')).toBe('r3');

    await store.remove('r3');
    expect(await store.get('r3')).toBeUndefined();
  });
});

describe('calls while NATS is away', () => {
  const storeWith = (whenConnected: () => Promise<void>) =>
    openJobStore(bus.nc.jetstream(), {
      bucket: 'JOBS_TEST',
      codec: pretrain.Run,
      description: 'jobs library tests',
      noun: 'run',
      connection: { whenConnected },
    });

  it('waits for the reconnect before it sends a call (its reply would be lost in the reconnect buffer)', async () => {
    await store.create({ job: queued('away-1') });
    let reconnected!: () => void;
    const reconnect = new Promise<void>((resolve) => (reconnected = resolve));
    let asked = 0;
    const waiting = await storeWith(() => {
      asked++;
      return reconnect;
    });
    let answered = false;
    const read = waiting.get('away-1').then((stored) => {
      answered = true;
      return stored;
    });
    await waitFor(() => asked === 1);
    expect(answered).toBe(false);
    reconnected();
    expect((await read)?.job.id).toBe('away-1');
  });

  it('answers UNAVAILABLE, naming the bucket, when NATS stays away', async () => {
    const away = await storeWith(() => Promise.reject(new Error('NATS is disconnected')));
    const err = await away.get('away-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadstartError);
    expect(err).toMatchObject({ code: Code.UNAVAILABLE });
    expect((err as Error).message).toContain('JOBS_TEST');
  });
});

describe('the claim', () => {
  const running = { job: { ...queued('c'), state: JobState.JOB_STATE_RUNNING, attempts: 1, worker: 'a' } };
  const lease = { worker: 'a', streamSequence: 7, heartbeatAt: 1_000 };

  it('drops a duplicate item of a job whose holder is alive, and takes over a dead or redelivered one', () => {
    const ctx = { worker: 'b', streamSequence: 9, staleAfterMs: 500, now: 1_200 };
    expect(decideClaim({ ...running, lease }, ctx)).toEqual({
      reason: 'being run by a (a duplicate work item)',
    });
    const stale = decideClaim({ ...running, lease }, { ...ctx, now: 1_600 });
    expect(stale.next?.lease).toEqual({ worker: 'b', streamSequence: 9, heartbeatAt: 1_600 });
    expect(stale.next?.job.attempts).toBe(2);
    const redelivered = decideClaim({ ...running, lease }, { ...ctx, streamSequence: 7 });
    expect(redelivered.next?.job.worker).toBe('b');
  });

  it('ends a job whose cancel was requested, and leaves a finished one alone', () => {
    const ctx = { worker: 'b', streamSequence: 9, staleAfterMs: 500 };
    const cancelled = decideClaim({ job: { ...queued('c'), cancelRequested: true } }, ctx);
    expect(cancelled.next?.job.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(cancelled.next?.lease).toBeUndefined();
    expect(decideClaim({ job: { ...queued('c'), state: JobState.JOB_STATE_SUCCEEDED } }, ctx)).toEqual({
      reason: 'already SUCCEEDED',
    });
  });

  it("fences an attempt's writes by its lease", async () => {
    await store.create({ job: { ...running.job, id: 'f' }, lease });
    await updateLeased(store, 'f', lease, (job) => ({ ...job, step: 3 }));
    expect((await store.get('f'))?.job.step).toBe(3);
    await expect(updateLeased(store, 'f', { ...lease, worker: 'b' }, (job) => job)).rejects.toBeInstanceOf(
      LostLeaseError,
    );
  });
});

describe('a delivery through a real work queue', () => {
  const workType = defineWorkType({
    subject: 'headstart.work.jobs-test',
    codec: pretrain.PretrainWork,
    consumer: {
      name: 'jobs-test-workers',
      description: 'jobs library test',
      ackWaitMs: 5_000,
      maxDeliver: 3,
      backoffMs: [50],
    },
  });

  /** Runs a consumer whose attempts follow `script` (one entry per attempt) until `id` is finished. */
  async function runScripted(
    id: string,
    script: Array<() => AttemptOutcome<pretrain.Run>>,
  ): Promise<pretrain.Run> {
    await store.create({ job: queued(id) });
    let attempt = 0;
    const consumer = await bus.consumeWork(workType, (item, ctx) =>
      deliverJob(item.runId, ctx, {
        store,
        workerId: 'w1',
        staleAfterMs: 10_000,
        maxDeliver: workType.consumer.maxDeliver,
        noun: 'run',
        logger: silent,
        attempt: async () => script[Math.min(attempt++, script.length - 1)]!(),
        handBack: async (jobId, msgId) => {
          await bus.enqueueWork(workType, { runId: jobId, requeues: 1 }, { msgId });
        },
        classifyFailure: (err) => ({
          permanent: err instanceof HeadstartError && err.code === Code.INVALID_ARGUMENT,
          message: (err as Error).message,
          code: err instanceof HeadstartError ? err.codeName : 'INTERNAL',
        }),
      }),
    );
    try {
      await bus.enqueueWork(workType, { runId: id, requeues: 0 }, { msgId: id });
      let job: pretrain.Run | undefined;
      await waitFor(async () => {
        job = (await store.get(id))?.job;
        return job !== undefined && [3, 4, 5].includes(job.state);
      });
      return job!;
    } finally {
      await consumer.stop();
    }
  }

  const completed = (): AttemptOutcome<pretrain.Run> => ({
    kind: 'completed',
    results: (job) => ({ ...job, finalVersion: 4 }),
  });

  it('settles a completed attempt as SUCCEEDED with its results and no worker', async () => {
    const job = await runScripted('d1', [completed]);
    expect(job).toMatchObject({
      state: JobState.JOB_STATE_SUCCEEDED,
      finalVersion: 4,
      worker: '',
      attempts: 1,
    });
  });

  it('retries a transient failure, and resumes a handed-back job in a new attempt', async () => {
    const transient = () => {
      throw new HeadstartError(Code.UNAVAILABLE, 'registry restarting');
    };
    const job = await runScripted('d2', [transient, () => ({ kind: 'handedBack' }), completed]);
    expect(job).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, attempts: 3, error: '' });
  });

  it('fails a permanent failure at once, and the last delivery of a transient one', async () => {
    const bad = () => {
      throw new HeadstartError(Code.INVALID_ARGUMENT, 'shards are empty');
    };
    expect(await runScripted('d3', [bad])).toMatchObject({
      state: JobState.JOB_STATE_FAILED,
      error: 'shards are empty',
      errorCode: 'INVALID_ARGUMENT',
      attempts: 1,
    });
    const flaky = () => {
      throw new HeadstartError(Code.UNAVAILABLE, 'down');
    };
    expect(await runScripted('d4', [flaky])).toMatchObject({ state: JobState.JOB_STATE_FAILED, attempts: 3 });
  });
});
