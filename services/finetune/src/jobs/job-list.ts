// ListFinetunes over the job store's records, in memory: filtered, newest first (created_at, then id),
// with the same keyset page tokens as the SQLite lists (page-token.ts), stable while jobs are added.
import { common, type finetune } from '@headstart/proto';
import { decodePageToken, encodePageToken } from '../store/page-token';

export interface JobQuery {
  pageSize: number;
  pageToken: string;
  /** JOB_STATE_UNSPECIFIED: any. */
  state: common.JobState;
  /** '': any. */
  triggerId: string;
  /** '': any. */
  baseModelName: string;
}

const createdMs = (job: finetune.Finetune): number => job.createdAt?.getTime() ?? 0;

/** Newest first; ties by id, descending (the order of the page tokens). */
function newestFirst(a: finetune.Finetune, b: finetune.Finetune): number {
  return createdMs(b) - createdMs(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function matches(job: finetune.Finetune, query: JobQuery): boolean {
  return (
    (query.state === common.JobState.JOB_STATE_UNSPECIFIED || job.state === query.state) &&
    (query.triggerId === '' || job.triggerId === query.triggerId) &&
    (query.baseModelName === '' || job.baseVersion?.modelName === query.baseModelName)
  );
}

/** One page of `jobs`; INVALID_ARGUMENT for a page token this service did not issue. */
export function listPage(
  jobs: readonly finetune.Finetune[],
  query: JobQuery,
): { finetunes: finetune.Finetune[]; nextPageToken: string } {
  const after = query.pageToken === '' ? undefined : decodePageToken(query.pageToken);
  const rest = jobs
    .filter((job) => matches(job, query))
    .filter(
      (job) =>
        !after ||
        createdMs(job) < after.createdMs ||
        (createdMs(job) === after.createdMs && job.id < after.id),
    )
    .sort(newestFirst);
  const page = rest.slice(0, query.pageSize);
  const last = page[page.length - 1];
  return {
    finetunes: page,
    nextPageToken: rest.length > query.pageSize && last ? encodePageToken(createdMs(last), last.id) : '',
  };
}
