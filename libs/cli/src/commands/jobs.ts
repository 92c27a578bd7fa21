import { Code, HeadstartError } from '@headstart/errors';
import { formatJobState, type IngestClient, type JobStateInput } from '@headstart/ingest-client';
import { common, ingest } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { formatDuration, describeProgress, createJobProgressReporter } from '../job-progress';
import { parseCount } from '../args';
import { formatTime, versionLabel } from '../format';
import type { Output } from '../output';

const KINDS: Record<number, string> = {
  [ingest.JobKind.JOB_KIND_TRAIN_TOKENIZER]: 'train-tokenizer',
  [ingest.JobKind.JOB_KIND_TOKENIZE]: 'tokenize',
};

export function jobKindName(kind: ingest.JobKind): string {
  return KINDS[kind] ?? 'unknown';
}

function jobJson(job: ingest.Job): unknown {
  return ingest.Job.toJSON(job);
}

function inputs(job: ingest.Job): string {
  const spec = job.spec;
  if (spec?.$case === 'trainTokenizer') {
    const t = spec.trainTokenizer;
    return `${t.dataset ? formatVersionRef(t.dataset) : '?'} -> ${t.tokenizerName} (vocab ${t.vocabSize})`;
  }
  if (spec?.$case === 'tokenize') {
    const t = spec.tokenize;
    const ref = (r: common.VersionRef | undefined): string => (r ? formatVersionRef(r) : '?');
    return `${ref(t.dataset)} + ${ref(t.tokenizer)} -> ${t.shardsName}`;
  }
  return '-';
}

function elapsed(job: ingest.Job): string {
  if (job.startedAt === undefined) return '-';
  const end = job.finishedAt?.getTime() ?? Date.now();
  return formatDuration((end - job.startedAt.getTime()) / 1000);
}

export function describeJob(out: Output, job: ingest.Job): string {
  const fields: Array<[string, string]> = [
    ['job', job.id],
    ['kind', jobKindName(job.kind)],
    ['state', formatJobState(job.state)],
    ['inputs', inputs(job)],
    ['progress', describeProgress(job)],
    [
      'documents',
      job.documentsTotal > 0 ? `${job.documentsDone}/${job.documentsTotal}` : String(job.documentsDone),
    ],
  ];
  if (job.tokensDone > 0) fields.push(['tokens', String(job.tokensDone)]);
  fields.push(
    ['created', formatTime(job.createdAt)],
    ['elapsed', elapsed(job)],
    ['attempts', String(job.attempts)],
  );
  if (job.result !== undefined) fields.push(['result', versionLabel(job.result)]);
  if (job.error !== '') fields.push(['error', `${job.error} (${job.errorCode})`]);
  return out.fields(fields);
}

/** Turns a job that did not succeed into the error the command exits with. */
export function requireSucceeded(job: ingest.Job): void {
  if (job.state === common.JobState.JOB_STATE_SUCCEEDED) return;
  if (job.state === common.JobState.JOB_STATE_CANCELLED) {
    throw new HeadstartError(Code.CANCELLED, `job ${job.id} was cancelled`);
  }
  const code = (Code as unknown as Record<string, number>)[job.errorCode] ?? Code.UNKNOWN;
  throw new HeadstartError(code, `job ${job.id} failed: ${job.error}`);
}

/**
 * Follows a job to its end with a progress line on stderr (terminals), prints it, and fails (non-zero
 * exit) unless it succeeded.
 */
export async function followJob(
  client: IngestClient,
  out: Output,
  jobId: string,
  label: string,
): Promise<void> {
  // Both stdout and stderr a terminal: a live bar; stderr alone: the redrawn status line.
  const live = out.liveProgress();
  const bar = live?.task(label);
  const progress = createJobProgressReporter(out, label);
  let job: ingest.Job;
  try {
    job = await client.watchJob(jobId, (update) => {
      if (!bar) return progress.update(update);
      const p = update.progress;
      bar.progress(p?.done ?? 0, p?.total ?? 0, {
        phase: update.phase || formatJobState(update.state),
        unit: p?.unit === 'bytes' ? '' : p?.unit,
        eta_s: p?.etaSeconds ? Math.round(p.etaSeconds) : undefined,
      });
    });
    bar?.done(describeProgress(job));
  } finally {
    live?.close();
    progress.finish();
  }
  out.result(
    () => ({ job: jobJson(job) }),
    () => describeJob(out, job),
  );
  requireSucceeded(job);
}

export async function getJob(client: IngestClient, out: Output, jobId: string): Promise<void> {
  const job = await client.getJob(jobId);
  out.result(
    () => ({ job: jobJson(job) }),
    () => describeJob(out, job),
  );
}

export async function watchJob(client: IngestClient, out: Output, jobId: string): Promise<void> {
  await followJob(client, out, jobId, jobId);
}

export async function cancelJob(client: IngestClient, out: Output, jobId: string): Promise<void> {
  const job = await client.cancelJob(jobId);
  out.result(
    () => ({ job: jobJson(job) }),
    () => `${job.id}: ${formatJobState(job.state)}\n`,
  );
}

export interface ListJobsOptions {
  state?: string;
  /** Newest first, at most this many. @default '50' */
  limit?: string;
}

export async function listJobs(client: IngestClient, out: Output, options: ListJobsOptions): Promise<void> {
  const limit = parseCount(options.limit ?? '50', 'limit');
  const jobs: ingest.Job[] = [];
  let pageToken = '';
  do {
    const page = await client.listJobs({
      ...(options.state === undefined ? {} : { state: options.state as JobStateInput }),
      pageSize: Math.min(limit - jobs.length, 1000),
      pageToken,
    });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && jobs.length < limit);
  out.result(
    () => ({ jobs: jobs.map(jobJson) }),
    () =>
      out.table(
        [
          { header: 'job' },
          { header: 'kind' },
          { header: 'state' },
          { header: 'inputs' },
          { header: 'result' },
          { header: 'created' },
        ],
        jobs.map((j) => [
          j.id,
          jobKindName(j.kind),
          formatJobState(j.state),
          inputs(j),
          j.result ? versionLabel(j.result) : '-',
          formatTime(j.createdAt),
        ]),
      ),
  );
}
