// ListJobs over every job record: newest first, optionally in one state, paged by a cursor (the last
// job's creation time and id), so pages stay consistent while new jobs are submitted.
import { invalidArgument } from '@headstart/errors';
import type { common, ingest } from '@headstart/proto';

export interface JobPage {
  jobs: ingest.Job[];
  nextPageToken: string;
}

const createdMs = (job: ingest.Job): number => job.createdAt?.getTime() ?? 0;

function encodeToken(job: ingest.Job): string {
  return Buffer.from(`${createdMs(job)}:${job.id}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): { createdMs: number; id: string } {
  const [ms, id] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const created = Number(ms);
  if (id === undefined || !Number.isSafeInteger(created)) {
    throw invalidArgument('page_token is not one this service issued', { field: 'page_token' });
  }
  return { createdMs: created, id };
}

/** Newest first; ties broken by id (descending) so the order is total. */
function newerFirst(a: ingest.Job, b: ingest.Job): number {
  return createdMs(b) - createdMs(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function pageJobs(
  all: readonly ingest.Job[],
  state: common.JobState | undefined,
  pageSize: number,
  pageToken: string,
): JobPage {
  const after = pageToken === '' ? undefined : decodeToken(pageToken);
  const matching = all
    .filter((job) => state === undefined || job.state === state)
    .filter((job) => {
      if (after === undefined) return true;
      const t = createdMs(job);
      return t < after.createdMs || (t === after.createdMs && job.id < after.id);
    })
    .sort(newerFirst);
  const jobs = matching.slice(0, pageSize);
  const last = jobs[jobs.length - 1];
  return { jobs, nextPageToken: matching.length > pageSize && last ? encodeToken(last) : '' };
}
