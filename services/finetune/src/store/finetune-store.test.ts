import { common, finetune } from '@headstart/proto';
import { makeTempDir, type TempDir } from '@headstart/testing';
import { FinetuneStore } from './finetune-store';

const { JobState } = common;

const job = (id: string, overrides: Partial<finetune.Finetune> = {}) =>
  finetune.Finetune.fromPartial({
    id,
    state: JobState.JOB_STATE_QUEUED,
    baseVersion: { versionId: 'v1', modelName: 'bert', version: 1 },
    createdAt: new Date(1_000 + Number(id.replace(/\D/g, '') || 0)),
    ...overrides,
  });

describe('FinetuneStore', () => {
  let dir: TempDir;
  let store: FinetuneStore;
  beforeEach(async () => {
    dir = await makeTempDir('finetune-store');
    store = FinetuneStore.open(`${dir.path}/finetune.db`);
  });
  afterEach(async () => {
    store.close();
    await dir.remove();
  });

  it('keeps one job per (checkpoint version, trigger); manual jobs never collide', () => {
    const first = store.insertJob(job('ft1', { triggerId: 't1' }));
    const second = store.insertJob(job('ft2', { triggerId: 't1' }));
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, enqueued: false });
    expect(second.job.id).toBe('ft1');
    expect(store.insertJob(job('ft3', { triggerId: 't2' })).created).toBe(true);
    expect(
      store.insertJob(
        job('ft4', { baseVersion: { versionId: 'v2', modelName: 'bert', version: 2 }, triggerId: 't1' }),
      ).created,
    ).toBe(true);
    expect(store.insertJob(job('ft5')).created).toBe(true);
    expect(store.insertJob(job('ft6')).created).toBe(true);
  });

  it('an idempotency key returns the job the first insert stored', () => {
    store.insertJob(job('ft1'), 'key');
    const again = store.insertJob(job('ft2'), 'key');
    expect(again).toMatchObject({ created: false });
    expect(again.job.id).toBe('ft1');
  });

  it('keeps the trace context of the request that created a job, across a reopen', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    store.insertJob(job('ft1'), '', { traceparent });
    store.insertJob(job('ft2'));
    // A repeat (same idempotency key) keeps the first request's context.
    store.insertJob(job('ft3'), 'key', { traceparent });
    store.insertJob(job('ft4'), 'key', { traceparent: traceparent.replace('b7ad', 'aaaa') });
    store.close();
    store = FinetuneStore.open(`${dir.path}/finetune.db`);
    expect(store.jobTrace('ft1')).toEqual({ traceparent });
    expect(store.jobTrace('ft2')).toEqual({});
    expect(store.jobTrace('ft3')).toEqual({ traceparent });
    expect(store.jobTrace('nope')).toEqual({});
  });

  it('the enqueued flag survives a reopen and lists jobs whose work item may be missing', () => {
    store.insertJob(job('ft1', { triggerId: 't1' }));
    store.insertJob(job('ft2', { triggerId: 't2' }));
    store.insertJob(job('ft3', { triggerId: 't3', state: JobState.JOB_STATE_FAILED }));
    store.markEnqueued('ft2', new Date(5_000));
    store.close();
    store = FinetuneStore.open(`${dir.path}/finetune.db`);
    expect(store.jobsToEnqueue().map((j) => j.id)).toEqual(['ft1']);
    expect(store.getJob('ft2')?.job.queuedAt?.getTime()).toBe(5_000);
    expect(store.findTriggeredJob('v1', 't1')?.enqueued).toBe(false);
  });

  it('pages newest first with filters', () => {
    for (let i = 1; i <= 5; i++) {
      const baseVersion = { versionId: `v${i}`, modelName: 'bert', version: i };
      expect(store.insertJob(job(`ft${i}`, { triggerId: i % 2 ? 'odd' : 'even', baseVersion })).created).toBe(
        true,
      );
    }
    const page1 = store.listJobs({ pageSize: 2, pageToken: '', state: 0, triggerId: '', baseModelName: '' });
    expect(page1.finetunes.map((j) => j.id)).toEqual(['ft5', 'ft4']);
    const page2 = store.listJobs({
      pageSize: 2,
      pageToken: page1.nextPageToken,
      state: 0,
      triggerId: '',
      baseModelName: '',
    });
    expect(page2.finetunes.map((j) => j.id)).toEqual(['ft3', 'ft2']);
    const odd = store.listJobs({
      pageSize: 10,
      pageToken: '',
      state: 0,
      triggerId: 'odd',
      baseModelName: 'bert',
    });
    expect(odd.finetunes.map((j) => j.id)).toEqual(['ft5', 'ft3', 'ft1']);
    expect(odd.nextPageToken).toBe('');
  });

  it('stores triggers and counts the jobs they fired', () => {
    store.insertTrigger(
      finetune.Trigger.fromPartial({ id: 't1', baseModelName: 'bert', createdAt: new Date(1) }),
    );
    store.insertTrigger(
      finetune.Trigger.fromPartial({ id: 't2', baseModelName: 'other', createdAt: new Date(2) }),
    );
    store.insertJob(job('ft1', { triggerId: 't1' }));
    expect(store.listTriggers('bert').map((t) => [t.id, t.firedCount])).toEqual([['t1', 1]]);
    expect(store.listTriggers().map((t) => t.id)).toEqual(['t1', 't2']);
    expect(store.deleteTrigger('t1')).toBe(true);
    expect(store.deleteTrigger('t1')).toBe(false);
    expect(store.getTrigger('t1')).toBeUndefined();
  });
});
