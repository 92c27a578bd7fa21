import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Code, notFound } from '@headstart/errors';
import { common, ingest, registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, waitFor, type TempDir } from '@headstart/testing';
import { JobManager, type JobContext, type JobManagerOptions, type JobRunner } from './job-manager';
import { JobStore } from './job-store';

/*
 * The job manager with real SQLite stores and small runners standing in for tokenizer training: each
 * runner is a real job (it is what the manager runs), controlled by the test through gates.
 */

const { JobState, JobState: S } = common;
const KIND = ingest.JobKind.JOB_KIND_TRAIN_TOKENIZER;
const logger = createLogger({ name: 'job-manager-test', level: 'silent' });

let dir: TempDir;
const stores: JobStore[] = [];
const managers: JobManager[] = [];

beforeEach(async () => {
  dir = await makeTempDir('jobs');
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
  for (const s of stores.splice(0)) s.close();
  await dir.remove();
});

function version(name: string): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({ id: `id-${name}`, modelName: name, version: 1 });
}

/** A runner that waits until the test opens its gate (or the job is aborted). */
function gated() {
  const started: JobContext[] = [];
  const gates = new Map<string, () => void>();
  const runner: JobRunner = async (ctx) => {
    started.push(ctx);
    await new Promise<void>((resolve, reject) => {
      gates.set(ctx.job.id, resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return version(ctx.job.id.toLowerCase());
  };
  const open = (id: string): void => gates.get(id)!();
  return { runner, started, open };
}

async function manager(runner: JobRunner, extra: Partial<JobManagerOptions> = {}): Promise<JobManager> {
  const store = JobStore.open(path.join(dir.path, 'jobs.db'));
  stores.push(store);
  const m = new JobManager({
    store,
    runners: { [KIND]: runner },
    workDir: path.join(dir.path, 'work'),
    logger,
    notifyIntervalMs: 10,
    ...extra,
  });
  await m.start();
  managers.push(m);
  return m;
}

const spec = (name: string): ingest.Job['spec'] => ({
  $case: 'trainTokenizer',
  trainTokenizer: ingest.StartTrainTokenizerRequest.fromPartial({ tokenizerName: name, vocabSize: 100 }),
});

/** A runner that works until it is told to stop. */
const untilAborted = (ctx: JobContext): Promise<registry.ModelVersion> =>
  new Promise((_, reject) => {
    if (ctx.signal.aborted) reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  });

const stateOf = (m: JobManager, id: string): common.JobState => m.get(id).state;

describe('JobManager', () => {
  it('runs jobs in order, at most `concurrency` at once, each with its own scratch directory', async () => {
    const { runner, started, open } = gated();
    const m = await manager(runner);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => m.submit(KIND, spec(n)));
    await waitFor(() => started.length === 1);
    expect([stateOf(m, a!.id), stateOf(m, b!.id), stateOf(m, c!.id)]).toEqual([
      S.JOB_STATE_RUNNING,
      S.JOB_STATE_QUEUED,
      S.JOB_STATE_QUEUED,
    ]);
    expect((await fs.stat(started[0]!.workDir)).isDirectory()).toBe(true);
    open(a!.id);
    await waitFor(() => started.length === 2);
    const done = m.get(a!.id);
    expect(done).toMatchObject({ state: S.JOB_STATE_SUCCEEDED, attempts: 1, phase: 'done' });
    expect(done.result?.modelName).toBe(a!.id.toLowerCase());
    expect(done.finishedAt).toBeInstanceOf(Date);
    await expect(fs.stat(started[0]!.workDir)).rejects.toThrow(/ENOENT/);
    expect(started[1]!.job.id).toBe(b!.id);
    open(b!.id);
    await waitFor(() => started.length === 3);
    open(c!.id);
    await waitFor(() => stateOf(m, c!.id) === S.JOB_STATE_SUCCEEDED);
  });

  it('cancels a queued job at once and a running one through its signal; nothing else is touched', async () => {
    const { runner, started } = gated();
    const m = await manager(runner);
    const running = m.submit(KIND, spec('r'));
    const queued = m.submit(KIND, spec('q'));
    await waitFor(() => started.length === 1);
    const q = await m.cancel(queued.id);
    expect(q).toMatchObject({ state: S.JOB_STATE_CANCELLED, errorCode: 'CANCELLED' });
    const r = await m.cancel(running.id);
    expect(r).toMatchObject({ state: S.JOB_STATE_CANCELLED, errorCode: 'CANCELLED', result: undefined });
    expect(started[0]!.signal.aborted).toBe(true);
    expect(started).toHaveLength(1); // the cancelled queued job never ran
    // Cancelling a finished job returns it unchanged.
    expect((await m.cancel(running.id)).state).toBe(S.JOB_STATE_CANCELLED);
  });

  it('records failures with their status code', async () => {
    const m = await manager(async () => {
      throw notFound('dataset corpus:9 not found');
    });
    const job = m.submit(KIND, spec('f'));
    await waitFor(() => stateOf(m, job.id) === S.JOB_STATE_FAILED);
    expect(m.get(job.id)).toMatchObject({ error: 'dataset corpus:9 not found', errorCode: 'NOT_FOUND' });
    await expect(m.cancel('nope')).rejects.toMatchObject({ code: Code.NOT_FOUND });
    expect(() => m.get('nope')).toThrow(/not found/);
  });

  it('streams every state change and progress to watchers until the job is terminal', async () => {
    let ctx: JobContext | undefined;
    let finish = (): void => undefined;
    const m = await manager(async (c) => {
      ctx = c;
      await new Promise<void>((resolve) => (finish = resolve));
      return version('w');
    });
    const job = m.submit(KIND, spec('w'));
    const seen: ingest.Job[] = [];
    const watching = (async () => {
      for await (const j of m.watch(job.id, new AbortController().signal)) seen.push(j);
    })();
    await waitFor(() => ctx !== undefined);
    ctx!.progress({ phase: 'counting', unit: 'documents', total: 10, done: 5, documentsDone: 5 });
    await waitFor(() => seen.some((j) => j.phase === 'counting' && j.progress?.done === 5));
    finish();
    await watching;
    expect(seen[seen.length - 1]!.state).toBe(S.JOB_STATE_SUCCEEDED);
    expect(seen.map((j) => j.state)).toContain(S.JOB_STATE_RUNNING);
    // A finished job: one message, then the end.
    const after: ingest.Job[] = [];
    for await (const j of m.watch(job.id, new AbortController().signal)) after.push(j);
    expect(after.map((j) => j.state)).toEqual([S.JOB_STATE_SUCCEEDED]);
  });

  it('estimates the time left from the rate of the current phase', async () => {
    let now = 1_000_000;
    let ctx: JobContext | undefined;
    const m = await manager(
      async (c) => {
        ctx = c;
        return untilAborted(c);
      },
      { now: () => now, notifyIntervalMs: 0 },
    );
    const job = m.submit(KIND, spec('eta'));
    await waitFor(() => ctx !== undefined);
    ctx!.progress({ phase: 'tokenizing', unit: 'documents', total: 100 });
    now += 10_000;
    ctx!.progress({ done: 25 });
    expect(m.get(job.id).progress).toEqual({ done: 25, total: 100, unit: 'documents', etaSeconds: 30 });
    ctx!.progress({ phase: 'registering' });
    expect(m.get(job.id).progress?.etaSeconds).toBe(0);
  });

  it('resumes what a crash left running, and gives up after the attempt limit', async () => {
    const store = JobStore.open(path.join(dir.path, 'jobs.db'));
    stores.push(store);
    const base = { kind: KIND, phase: 'merging', createdAt: new Date(), spec: spec('x') };
    store.save(
      ingest.Job.fromPartial({ ...base, id: 'CRASHED1', state: JobState.JOB_STATE_RUNNING, attempts: 1 }),
    );
    store.save(
      ingest.Job.fromPartial({ ...base, id: 'CRASHED3', state: JobState.JOB_STATE_RUNNING, attempts: 3 }),
    );
    store.save(ingest.Job.fromPartial({ ...base, id: 'QUEUED', state: JobState.JOB_STATE_QUEUED }));
    await fs.mkdir(path.join(dir.path, 'work', 'CRASHED1'), { recursive: true });
    const ran: string[] = [];
    const m = await manager(async (c) => {
      ran.push(c.job.id);
      return version(c.job.id.toLowerCase());
    });
    await waitFor(() => stateOf(m, 'QUEUED') === S.JOB_STATE_SUCCEEDED);
    expect(ran).toEqual(['CRASHED1', 'QUEUED']);
    expect(m.get('CRASHED1')).toMatchObject({ state: S.JOB_STATE_SUCCEEDED, attempts: 2 });
    expect(m.get('CRASHED3')).toMatchObject({ state: S.JOB_STATE_FAILED, errorCode: 'ABORTED' });
    expect(m.get('CRASHED3').error).toMatch(/interrupted by a restart/);
  });

  it('bounds shutdown when a job ignores its signal; that job counts as interrupted next time', async () => {
    let called = false;
    const m = await manager(
      () => {
        called = true;
        return new Promise<registry.ModelVersion>(() => undefined);
      },
      { shutdownWaitMs: 50 },
    );
    const job = m.submit(KIND, spec('stuck'));
    await waitFor(() => called);
    await m.shutdown();
    expect(m.get(job.id).state).toBe(S.JOB_STATE_RUNNING);
  });

  it('puts jobs interrupted by a shutdown back in the queue, without counting the attempt', async () => {
    const first = gated();
    const m1 = await manager(first.runner);
    const job = m1.submit(KIND, spec('s'));
    await waitFor(() => first.started.length === 1);
    await m1.shutdown();
    managers.splice(managers.indexOf(m1), 1);
    expect(m1.get(job.id)).toMatchObject({ state: S.JOB_STATE_QUEUED, attempts: 0 });
    expect(() => m1.submit(KIND, spec('late'))).toThrow(/shutting down/);

    const second = gated();
    const m2 = await manager(second.runner);
    await waitFor(() => second.started.length === 1);
    second.open(job.id);
    await waitFor(() => stateOf(m2, job.id) === S.JOB_STATE_SUCCEEDED);
    expect(m2.get(job.id).attempts).toBe(1);
  });

  it('lists jobs newest first, by page and by state', async () => {
    let t = 1_000;
    const m = await manager(untilAborted, { now: () => (t += 1000) });
    const ids = Array.from({ length: 5 }, (_, i) => m.submit(KIND, spec(`l${i}`)).id);
    await m.cancel(ids[4]!);
    const page1 = m.list(undefined, 2, '');
    const page2 = m.list(undefined, 2, page1.nextPageToken);
    const page3 = m.list(undefined, 2, page2.nextPageToken);
    expect([...page1.jobs, ...page2.jobs, ...page3.jobs].map((j) => j.id)).toEqual([...ids].reverse());
    expect(page3.nextPageToken).toBe('');
    expect(m.list(S.JOB_STATE_CANCELLED, 10, '').jobs.map((j) => j.id)).toEqual([ids[4]]);
    expect(() => m.list(undefined, 2, 'garbage')).toThrow(/page_token/);
  });
});
