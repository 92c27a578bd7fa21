import * as fs from 'node:fs/promises';
import { Code, notFound } from '@headstart/errors';
import { WORKER_DIED_CODE } from '@headstart/jobs';
import { common, ingest } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { JobProgress } from './job-progress';
import { removeExpiredJobs } from './job-retention';
import type { JobContext } from './job-runner';
import { KIND, gated, spec, startJobsHarness, version, type JobsHarness } from './jobs-test-support';
import { pageJobs } from './list-jobs';

/*
 * A replica's job parts (records, calls, worker, sweeps) on a real nats-server, with runners the tests
 * control: what the service runs, minus gRPC and the registry.
 */

const { JobState: S } = common;

let h: JobsHarness;
beforeAll(async () => {
  h = await startJobsHarness();
});
afterAll(() => h?.close());

describe('ingest jobs', () => {
  it('runs jobs in order, at most `concurrency` at once, each with its own scratch directory', async () => {
    const { runner, started, open } = gated();
    const { api } = await h.parts('order', runner);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => api.submit(KIND, spec(n))));
    await waitFor(() => started.length === 1);
    const states = async () => Promise.all([a!, b!, c!].map(async (j) => (await api.get(j.id)).state));
    await waitFor(async () => (await states())[0] === S.JOB_STATE_RUNNING);
    expect(await states()).toEqual([S.JOB_STATE_RUNNING, S.JOB_STATE_QUEUED, S.JOB_STATE_QUEUED]);
    expect((await fs.stat(started[0]!.workDir)).isDirectory()).toBe(true);
    open(a!.id);
    await waitFor(() => started.length === 2);
    const done = await api.get(a!.id);
    expect(done).toMatchObject({ state: S.JOB_STATE_SUCCEEDED, attempts: 1, phase: 'done', worker: '' });
    expect(done.result?.modelName).toBe(a!.id.toLowerCase());
    expect(done.finishedAt).toBeInstanceOf(Date);
    await expect(fs.stat(started[0]!.workDir)).rejects.toThrow(/ENOENT/);
    expect(started[1]!.job.id).toBe(b!.id);
    open(b!.id);
    await waitFor(() => started.length === 3);
    open(c!.id);
    await waitFor(async () => (await api.get(c!.id)).state === S.JOB_STATE_SUCCEEDED);
  });

  it('cancels a queued job at once and a running one at its next heartbeat; nothing else is touched', async () => {
    const { runner, started } = gated();
    const { api, worker } = await h.parts('cancel', runner);
    const running = await api.submit(KIND, spec('r'));
    const queued = await api.submit(KIND, spec('q'));
    await waitFor(() => started.length === 1);
    const q = await api.cancel(queued.id);
    expect(q).toMatchObject({ state: S.JOB_STATE_CANCELLED, errorCode: 'CANCELLED' });
    const r = await api.cancel(running.id);
    expect(r).toMatchObject({ state: S.JOB_STATE_CANCELLED, errorCode: 'CANCELLED', result: undefined });
    expect(started[0]!.signal.aborted).toBe(true);
    // Both items are done with; the cancelled queued job's was dropped without running it.
    await waitFor(() => worker!.stats.acked === 2);
    expect(started).toHaveLength(1);
    // Cancelling a finished job returns it unchanged.
    expect((await api.cancel(running.id)).state).toBe(S.JOB_STATE_CANCELLED);
  });

  it('records failures with their status code; unknown jobs are NOT_FOUND', async () => {
    const { api } = await h.parts('fail', async () => {
      throw notFound('dataset corpus:9 not found');
    });
    const job = await api.submit(KIND, spec('f'));
    await waitFor(async () => (await api.get(job.id)).state === S.JOB_STATE_FAILED);
    expect(await api.get(job.id)).toMatchObject({
      error: 'dataset corpus:9 not found',
      errorCode: 'NOT_FOUND',
      attempts: 1,
    });
    for (const id of ['NOPE', 'not a job id']) {
      await expect(api.cancel(id)).rejects.toMatchObject({ code: Code.NOT_FOUND });
      await expect(api.get(id)).rejects.toThrow(/not found/);
    }
  });

  it('streams every state change and progress to watchers until the job is terminal', async () => {
    let ctx: JobContext | undefined;
    let finish = (): void => undefined;
    const { api } = await h.parts('watch', async (c) => {
      ctx = c;
      await new Promise<void>((resolve) => (finish = resolve));
      return version('w');
    });
    const job = await api.submit(KIND, spec('w'));
    const seen: ingest.Job[] = [];
    const signal = new AbortController().signal;
    const watching = api.watch(job.id, async (j) => void seen.push(j), signal);
    await waitFor(() => ctx !== undefined);
    ctx!.progress({ phase: 'counting', unit: 'documents', total: 10, done: 5, documentsDone: 5 });
    await waitFor(() => seen.some((j) => j.phase === 'counting' && j.progress?.done === 5));
    finish();
    await watching;
    expect(seen[seen.length - 1]!.state).toBe(S.JOB_STATE_SUCCEEDED);
    expect(seen.map((j) => j.state)).toContain(S.JOB_STATE_RUNNING);
    // A finished job: one message, then the end.
    const after: ingest.Job[] = [];
    await api.watch(job.id, async (j) => void after.push(j), signal);
    expect(after.map((j) => j.state)).toEqual([S.JOB_STATE_SUCCEEDED]);
  });

  it('hands a job back when its worker stops; the next worker runs it (a new attempt)', async () => {
    const first = gated();
    const one = await h.parts('handback', first.runner);
    const job = await one.api.submit(KIND, spec('s'));
    await waitFor(() => first.started.length === 1);
    await one.stop();
    expect(await one.api.get(job.id)).toMatchObject({
      state: S.JOB_STATE_QUEUED,
      phase: 'queued',
      worker: '',
    });
    await expect(one.api.submit(KIND, spec('late'))).rejects.toThrow(/shutting down/);

    const second = gated();
    const two = await h.parts('handback', second.runner);
    await waitFor(() => second.started.length === 1);
    second.open(job.id);
    await waitFor(async () => (await two.api.get(job.id)).state === S.JOB_STATE_SUCCEEDED);
    expect((await two.api.get(job.id)).attempts).toBe(2);
  });

  it('bounds a stop when a job ignores its signal; the job stays RUNNING for another worker to take', async () => {
    let called = false;
    let release = (): void => undefined;
    const { api, stop } = await h.parts(
      'stuck',
      () => {
        called = true;
        return new Promise((resolve) => (release = () => resolve(version('stuck'))));
      },
      { stopWaitMs: 50 },
    );
    const job = await api.submit(KIND, spec('stuck'));
    await waitFor(() => called);
    await stop();
    expect((await api.get(job.id)).state).toBe(S.JOB_STATE_RUNNING);
    release();
  });

  it('fails a job whose workers all died (every delivery, none acked) with ABORTED', async () => {
    const { api } = await h.parts('dead', gated().runner, {
      concurrency: 0,
      queue: { subject: 'headstart.work.ingest-dead', consumer: 'ingest-dead', ackWaitMs: 1_000 },
    });
    const releases: Array<() => void> = [];
    // Workers that take each delivery and die with it: no heartbeat, no ack, no outcome. The server
    // gives up when it would deliver a fourth time, so a fourth slot keeps asking.
    const dying = await h.bus.consumeWork(
      h.workType('dead', 1_000),
      () => new Promise<void>((resolve) => releases.push(resolve)),
      { concurrency: 4 },
    );
    try {
      const job = await api.submit(KIND, spec('dead'));
      await waitFor(async () => (await api.get(job.id)).state === S.JOB_STATE_FAILED, { timeoutMs: 20_000 });
      expect(await api.get(job.id)).toMatchObject({ errorCode: WORKER_DIED_CODE });
      expect((await api.get(job.id)).error).toMatch(/the worker died on each of 3 deliveries/);
    } finally {
      for (const release of releases) release();
      await dying.stop({ graceMs: 0 });
    }
  });

  it('refuses submits over the queued limit with RESOURCE_EXHAUSTED', async () => {
    const { api } = await h.parts('full', gated().runner, { concurrency: 0, maxQueued: 2 });
    await api.submit(KIND, spec('one'));
    await api.submit(KIND, spec('two'));
    await expect(api.submit(KIND, spec('three'))).rejects.toMatchObject({ code: Code.RESOURCE_EXHAUSTED });
  });

  it('removes finished jobs past retention, and keeps the others', async () => {
    const { api, store } = await h.parts('retention', gated().runner, { concurrency: 0 });
    const kept = await api.submit(KIND, spec('queued'));
    const old = await api.submit(KIND, spec('old'));
    await api.cancel(old.id);
    expect(await removeExpiredJobs(store, 60_000)).toBe(0);
    expect(await removeExpiredJobs(store, 60_000, Date.now() + 120_000)).toBe(1);
    expect((await store.list()).map((j) => j.id)).toEqual([kept.id]);
  });
});

describe('ListJobs paging', () => {
  const at = (id: string, ms: number, state = S.JOB_STATE_QUEUED) =>
    ingest.Job.fromPartial({ id, state, createdAt: new Date(ms) });

  it('lists jobs newest first, by page and by state', async () => {
    const all = [
      at('A', 1_000),
      at('B', 2_000),
      at('C', 3_000),
      at('D', 3_000),
      at('E', 5_000, S.JOB_STATE_CANCELLED),
    ];
    const page1 = pageJobs(all, undefined, 2, '');
    const page2 = pageJobs(all, undefined, 2, page1.nextPageToken);
    const page3 = pageJobs(all, undefined, 2, page2.nextPageToken);
    expect([...page1.jobs, ...page2.jobs, ...page3.jobs].map((j) => j.id)).toEqual(['E', 'D', 'C', 'B', 'A']);
    expect(page3.nextPageToken).toBe('');
    expect(pageJobs(all, S.JOB_STATE_CANCELLED, 10, '').jobs.map((j) => j.id)).toEqual(['E']);
    expect(() => pageJobs(all, undefined, 2, 'garbage')).toThrow(/page_token/);
  });

  it('lists through the job calls, and refuses a page token it did not issue', async () => {
    const { api } = await h.parts('list', gated().runner, { concurrency: 0 });
    const job = await api.submit(KIND, spec('listed'));
    expect((await api.list(undefined, 10, '')).jobs.map((j) => j.id)).toEqual([job.id]);
    await expect(api.list(undefined, 2, 'garbage')).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
  });
});

describe('progress', () => {
  it('estimates the time left from the rate of the current phase', () => {
    let now = 1_000_000;
    const progress = new JobProgress('starting', () => now);
    const job = () => progress.applyTo(ingest.Job.fromPartial({ id: 'eta' }));
    progress.update({ phase: 'tokenizing', unit: 'documents', total: 100 });
    now += 10_000;
    progress.update({ done: 25 });
    expect(job().progress).toEqual({ done: 25, total: 100, unit: 'documents', etaSeconds: 30 });
    progress.update({ phase: 'registering' });
    expect(job().progress?.etaSeconds).toBe(0);
  });
});
