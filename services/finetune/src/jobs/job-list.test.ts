import { common, finetune } from '@headstart/proto';
import { listPage, type JobQuery } from './job-list';

const { JobState } = common;

const job = (id: string, overrides: Partial<finetune.Finetune> = {}) =>
  finetune.Finetune.fromPartial({
    id,
    state: JobState.JOB_STATE_QUEUED,
    baseVersion: { versionId: 'v1', modelName: 'bert', version: 1 },
    createdAt: new Date(1_000 + Number(id.replace(/\D/g, '') || 0)),
    ...overrides,
  });

const query = (overrides: Partial<JobQuery> = {}): JobQuery => ({
  pageSize: 10,
  pageToken: '',
  state: JobState.JOB_STATE_UNSPECIFIED,
  triggerId: '',
  baseModelName: '',
  ...overrides,
});

describe('listPage (ListFinetunes)', () => {
  const jobs = [1, 2, 3, 4, 5].map((i) =>
    job(`ft${i}`, {
      triggerId: i % 2 ? 'odd' : 'even',
      baseVersion: { versionId: `v${i}`, modelName: i === 4 ? 'other' : 'bert', version: i },
      state: i === 2 ? JobState.JOB_STATE_SUCCEEDED : JobState.JOB_STATE_QUEUED,
    }),
  );

  it('pages newest first, the token continuing after the last job of a page', () => {
    const page1 = listPage(jobs, query({ pageSize: 2 }));
    expect(page1.finetunes.map((j) => j.id)).toEqual(['ft5', 'ft4']);
    const page2 = listPage(jobs, query({ pageSize: 2, pageToken: page1.nextPageToken }));
    expect(page2.finetunes.map((j) => j.id)).toEqual(['ft3', 'ft2']);
    const page3 = listPage(jobs, query({ pageSize: 2, pageToken: page2.nextPageToken }));
    expect(page3).toEqual({ finetunes: [jobs[0]], nextPageToken: '' });
  });

  it('filters by state, trigger and base model', () => {
    const ids = (q: Partial<JobQuery>) => listPage(jobs, query(q)).finetunes.map((j) => j.id);
    expect(ids({ triggerId: 'odd' })).toEqual(['ft5', 'ft3', 'ft1']);
    expect(ids({ state: JobState.JOB_STATE_SUCCEEDED })).toEqual(['ft2']);
    expect(ids({ baseModelName: 'bert', triggerId: 'even' })).toEqual(['ft2']);
  });

  it('orders jobs created in the same millisecond by id, without skipping any across pages', () => {
    const same = ['ft_a', 'ft_c', 'ft_b'].map((id) => job(id, { createdAt: new Date(7) }));
    const page1 = listPage(same, query({ pageSize: 2 }));
    expect(page1.finetunes.map((j) => j.id)).toEqual(['ft_c', 'ft_b']);
    expect(listPage(same, query({ pageToken: page1.nextPageToken })).finetunes.map((j) => j.id)).toEqual([
      'ft_a',
    ]);
  });

  it('refuses a page token it did not issue with INVALID_ARGUMENT', () => {
    expect(() => listPage(jobs, query({ pageToken: 'not-a-token' }))).toThrow(/page_token/);
  });
});
