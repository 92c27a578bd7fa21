// ListRuns: newest first, filtered, paged by a cursor (the last run's creation time and id), so pages
// stay consistent while new runs are started.
import { Code, HeadstartError } from '@headstart/errors';
import type { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

interface Cursor {
  t: number;
  id: string;
}

function encodeCursor(run: pretrain.Run): string {
  return Buffer.from(JSON.stringify({ t: run.createdAt?.getTime() ?? 0, id: run.id }), 'utf8').toString(
    'base64url',
  );
}

function decodeCursor(token: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.t === 'number' && typeof cursor.id === 'string') return cursor;
  } catch {
    // reported below
  }
  throw new HeadstartError(Code.INVALID_ARGUMENT, `page_token "${token}" is not one this service issued`, {
    details: { field: 'page_token' },
  });
}

/** Newest first; ties broken by id so the order is total. */
function newerFirst(a: pretrain.Run, b: pretrain.Run): number {
  const dt = (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);
  return dt !== 0 ? dt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function pageRuns(all: pretrain.Run[], request: pretrain.ListRunsRequest): pretrain.ListRunsResponse {
  const size = Math.min(request.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const cursor = request.pageToken ? decodeCursor(request.pageToken) : undefined;
  const matching = all
    .filter((run) => request.state === common.JobState.JOB_STATE_UNSPECIFIED || run.state === request.state)
    .filter((run) => !request.modelName || run.spec?.modelName === request.modelName)
    .sort(newerFirst)
    .filter((run) => {
      if (!cursor) return true;
      const t = run.createdAt?.getTime() ?? 0;
      return t < cursor.t || (t === cursor.t && run.id > cursor.id);
    });
  const runs = matching.slice(0, size);
  const last = runs[runs.length - 1];
  return { runs, nextPageToken: matching.length > size && last ? encodeCursor(last) : '' };
}
