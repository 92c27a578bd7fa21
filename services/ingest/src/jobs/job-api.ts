// The job calls of IngestService over the shared job records: submit (record, then enqueue), get, list,
// watch and cancel. Any replica answers for any job; workers (job-worker.ts) run them.
import { notFound, resourceExhausted, unavailable } from '@headstart/errors';
import { JOB_ID_PATTERN, isTerminal, requestCancel } from '@headstart/jobs';
import { common, type ingest } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { newJob, type IngestJobStore } from './job-records';
import { pageJobs, type JobPage } from './list-jobs';
import { watchJob } from './watch-job';

export interface JobApiOptions {
  store: IngestJobStore;
  /** Puts the job's work item on the queue (deduplicated by job id). */
  enqueue(id: string): Promise<void>;
  logger: Logger;
  /** Queued jobs accepted before a submit is refused with RESOURCE_EXHAUSTED. */
  maxQueued: number;
  /** How long CancelJob waits for a running job to stop before answering. */
  cancelWaitMs: number;
  /** Aborted when this replica stops: submits are refused and watches end. */
  closing: AbortSignal;
}

export interface JobApi {
  submit(kind: ingest.JobKind, spec: ingest.Job['spec']): Promise<ingest.Job>;
  get(id: string): Promise<ingest.Job>;
  list(state: common.JobState | undefined, pageSize: number, pageToken: string): Promise<JobPage>;
  watch(id: string, send: (job: ingest.Job) => Promise<void>, signal: AbortSignal): Promise<void>;
  cancel(id: string): Promise<ingest.Job>;
}

export function createJobApi(options: JobApiOptions): JobApi {
  const { store, logger } = options;

  const get = async (id: string): Promise<ingest.Job> => {
    const stored = JOB_ID_PATTERN.test(id) ? await store.get(id) : undefined;
    if (stored === undefined) throw notFound(`job ${JSON.stringify(id)} not found`, { field: 'job_id' });
    return stored.job;
  };

  /** The job once terminal, or as it is after `ms`. */
  const settled = async (id: string, ms: number): Promise<ingest.Job> => {
    let done: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const watcher = await store.watch(id, ({ job }) => isTerminal(job.state) && done());
    const timer = setTimeout(done, ms);
    try {
      await ended;
    } finally {
      clearTimeout(timer);
      watcher.stop();
    }
    return get(id);
  };

  return {
    async submit(kind, spec) {
      if (options.closing.aborted) throw unavailable('the ingest service is shutting down');
      const queued = (await store.list()).filter((j) => j.state === common.JobState.JOB_STATE_QUEUED).length;
      if (queued >= options.maxQueued) {
        throw resourceExhausted(`${queued} jobs are already queued; try again later`);
      }
      const job = newJob(kind, spec);
      await store.create({ job });
      // Enqueued in the submitting request's context: the work item's headers carry its trace, so the
      // job's spans join that trace on whichever replica runs it (redeliveries and hand-backs too).
      await options.enqueue(job.id).catch((err: unknown) => {
        logger.warn({ jobId: job.id, err }, 'job recorded but not queued yet; the queued sweep queues it');
      });
      return job;
    },
    get,
    async list(state, pageSize, pageToken) {
      return pageJobs(await store.list(), state, pageSize, pageToken);
    },
    async watch(id, send, signal) {
      await watchJob(store, await get(id), send, { call: signal, closing: options.closing });
    },
    async cancel(id) {
      await get(id);
      const job = await requestCancel(store, id);
      if (job.state === common.JobState.JOB_STATE_CANCELLED && job.errorCode === '') {
        // Cancelled while queued: it never ran. Said in the record like a running job's cancel.
        const stored = await store.update(id, ({ job: j }) =>
          j.errorCode === ''
            ? { job: { ...j, error: 'cancelled before it started', errorCode: 'CANCELLED' } }
            : undefined,
        );
        return stored.job;
      }
      return isTerminal(job.state) ? job : settled(id, options.cancelWaitMs);
    },
  };
}
