import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  HeadstartError,
  cancelled,
  internal,
  notFound,
  resourceExhausted,
  unavailable,
} from '@headstart/errors';
import { common, ingest, type registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { contextFromTraceHeaders, getTracer, traceHeaders, withSpan } from '@headstart/telemetry';
import { newId } from '../ids';
import { type JobPage, type JobStore, isTerminal } from './job-store';
import { LiveJob, type ProgressUpdate, snapshot } from './live-job';

const { JobState } = common;

/** Waits for `promise` at most `ms`; true when it settled in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a job's code gets. */
export interface JobContext {
  /** The job as it was when this attempt started (id, kind, spec). */
  readonly job: ingest.Job;
  /** Aborted when the job is cancelled or the service shuts down: stop promptly, register nothing. */
  readonly signal: AbortSignal;
  /** A scratch directory of this attempt, removed afterwards. */
  readonly workDir: string;
  readonly logger: Logger;
  /** Cheap: call as often as convenient. */
  progress(update: ProgressUpdate): void;
}

/** Runs one kind of job; resolves with the version it registered. */
export type JobRunner = (ctx: JobContext) => Promise<registry.ModelVersion>;

export interface JobManagerOptions {
  store: JobStore;
  runners: Partial<Record<ingest.JobKind, JobRunner>>;
  /** Jobs' scratch directories go here; it is emptied at start (leftovers of a crash). */
  workDir: string;
  logger: Logger;
  /** Jobs running at once; the rest wait in order. @default 1 */
  concurrency?: number;
  /** Queued jobs accepted before StartX is refused with RESOURCE_EXHAUSTED. @default 1000 */
  maxQueued?: number;
  /** Starts of one job (a restart in the middle of one counts); then it fails. @default 3 */
  maxAttempts?: number;
  /** Finished jobs older than this are forgotten at start. @default 30 days */
  retentionMs?: number;
  /** How long CancelJob waits for a running job to stop before answering. @default 30 s */
  cancelWaitMs?: number;
  /** How long shutdown waits for aborted jobs to stop; one that does not is left RUNNING in the store,
   * and the next start treats it as interrupted by a crash. @default 10 s */
  shutdownWaitMs?: number;
  notifyIntervalMs?: number;
  persistIntervalMs?: number;
  now?: () => number;
}

/**
 * In-process jobs with bounded concurrency, persisted in SQLite. A job interrupted by a crash or a
 * shutdown runs again at the next start (up to `maxAttempts` starts): jobs register with their id as
 * the idempotency key, so a re-run never registers a second version.
 */
export class JobManager {
  private readonly live = new Map<string, LiveJob>();
  private readonly queue: string[] = [];
  private running = 0;
  private closing = false;
  private readonly shutdownReason = unavailable(
    'the ingest service is shutting down; the job runs again at its next start',
  );
  private readonly now: () => number;

  constructor(private readonly options: JobManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  private track(job: ingest.Job): LiveJob {
    const live = new LiveJob(job, {
      notifyIntervalMs: this.options.notifyIntervalMs ?? 200,
      persistIntervalMs: this.options.persistIntervalMs ?? 2_000,
      persist: (j) => this.options.store.save(j),
      now: this.now,
    });
    this.live.set(job.id, live);
    return live;
  }

  /** Empties the scratch space, forgets old jobs, and queues again what a previous life left unfinished. */
  async start(): Promise<void> {
    await fs.rm(this.options.workDir, { recursive: true, force: true });
    await fs.mkdir(this.options.workDir, { recursive: true });
    const pruned = this.options.store.prune(this.now() - (this.options.retentionMs ?? 30 * 86_400_000));
    const maxAttempts = this.options.maxAttempts ?? 3;
    let resumed = 0;
    for (const job of this.options.store.unfinished()) {
      const live = this.track(job);
      if (job.state === JobState.JOB_STATE_RUNNING && job.attempts >= maxAttempts) {
        this.finish(live, JobState.JOB_STATE_FAILED, {
          error: `interrupted by a restart of the ingest service in each of its ${job.attempts} attempts; not retried`,
          errorCode: 'ABORTED',
        });
        continue;
      }
      job.state = JobState.JOB_STATE_QUEUED;
      live.resetProgress('queued');
      live.commit();
      this.queue.push(job.id);
      resumed++;
    }
    this.options.logger.info({ resumed, pruned }, 'job manager started');
    this.pump();
  }

  submit(kind: ingest.JobKind, spec: ingest.Job['spec']): ingest.Job {
    if (this.closing) throw unavailable('the ingest service is shutting down');
    const maxQueued = this.options.maxQueued ?? 1000;
    if (this.queue.length >= maxQueued) {
      throw resourceExhausted(`${this.queue.length} jobs are already queued; try again later`);
    }
    const job: ingest.Job = {
      id: newId(this.now()),
      state: JobState.JOB_STATE_QUEUED,
      progress: { done: 0, total: 0, unit: '', etaSeconds: 0 },
      error: '',
      result: undefined,
      kind,
      spec,
      phase: 'queued',
      documentsDone: 0,
      documentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      tokensDone: 0,
      createdAt: new Date(this.now()),
      startedAt: undefined,
      finishedAt: undefined,
      attempts: 0,
      errorCode: '',
    };
    this.track(job).commit();
    // The job runs later, from the queue: its span joins the trace of the request that submitted it.
    this.options.store.setTrace(job.id, traceHeaders());
    this.queue.push(job.id);
    this.pump();
    return snapshot(job);
  }

  get(id: string): ingest.Job {
    const live = this.live.get(id);
    if (live !== undefined) return snapshot(live.job);
    const stored = this.options.store.get(id);
    if (stored === undefined) throw notFound(`job ${JSON.stringify(id)} not found`, { field: 'job_id' });
    return stored;
  }

  list(state: common.JobState | undefined, pageSize: number, pageToken: string): JobPage {
    return this.options.store.list(state, pageSize, pageToken);
  }

  /** The job now, then after every change, until it is terminal (or the service closes). */
  async *watch(id: string, signal: AbortSignal): AsyncGenerator<ingest.Job, void, undefined> {
    const live = this.live.get(id);
    if (live === undefined) {
      yield this.get(id);
      return;
    }
    let seen = live.changeCount;
    yield snapshot(live.job);
    while (!isTerminal(live.job.state) && !this.closing) {
      await live.changedSince(seen, signal);
      seen = live.changeCount;
      yield snapshot(live.job);
    }
  }

  /** Cancels a queued job at once, a running one by aborting it (waiting for it to stop); a finished job is returned as is. */
  async cancel(id: string): Promise<ingest.Job> {
    const live = this.live.get(id);
    if (live === undefined) return this.get(id);
    if (live.job.state === JobState.JOB_STATE_QUEUED) {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(live, JobState.JOB_STATE_CANCELLED, {
        error: 'cancelled before it started',
        errorCode: 'CANCELLED',
      });
      return snapshot(live.job);
    }
    live.controller?.abort(cancelled(`job ${id} was cancelled`));
    await within(live.settled ?? Promise.resolve(), this.options.cancelWaitMs ?? 30_000);
    return snapshot(live.job);
  }

  /** Stops taking jobs, aborts the running ones (they stay queued for the next start) and waits for them. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const settling: Promise<void>[] = [];
    for (const live of this.live.values()) {
      if (live.controller !== undefined) live.controller.abort(this.shutdownReason);
      if (live.settled !== undefined) settling.push(live.settled);
    }
    const stopped = await within(Promise.all(settling), this.options.shutdownWaitMs ?? 10_000);
    if (!stopped)
      this.options.logger.warn('jobs did not stop in time; they count as interrupted at the next start');
    for (const live of this.live.values()) {
      live.notify(); // lets watchers see `closing` and end
      live.dispose();
    }
  }

  private finish(
    live: LiveJob,
    state: common.JobState,
    fields: { error?: string; errorCode?: string; result?: registry.ModelVersion },
  ): void {
    Object.assign(live.job, { state, error: '', errorCode: '', ...fields, finishedAt: new Date(this.now()) });
    live.job.phase = state === JobState.JOB_STATE_SUCCEEDED ? 'done' : live.job.phase;
    live.commit();
    live.dispose();
    this.live.delete(live.job.id);
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 1;
    while (!this.closing && this.running < concurrency && this.queue.length > 0) {
      const live = this.live.get(this.queue.shift()!);
      if (live === undefined) continue;
      this.running++;
      live.settled = this.run(live).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** Runs the job in a span `ingest job <kind>`, child of the request that submitted it. */
  private run(live: LiveJob): Promise<void> {
    const kind = ingest
      .jobKindToJSON(live.job.kind)
      .replace(/^JOB_KIND_/, '')
      .toLowerCase();
    return withSpan(
      getTracer('@headstart/ingest'),
      `ingest job ${kind}`,
      { attributes: { 'headstart.job.id': live.job.id, 'headstart.job.kind': kind } },
      () => this.attempt(live),
      contextFromTraceHeaders(this.options.store.trace(live.job.id)),
    );
  }

  private async attempt(live: LiveJob): Promise<void> {
    const job = live.job;
    const controller = new AbortController();
    live.controller = controller;
    const workDir = path.join(this.options.workDir, job.id);
    const logger = this.options.logger.child({ jobId: job.id, kind: ingest.jobKindToJSON(job.kind) });
    Object.assign(job, {
      state: JobState.JOB_STATE_RUNNING,
      attempts: job.attempts + 1,
      startedAt: new Date(this.now()),
    });
    Object.assign(job, { error: '', errorCode: '' });
    live.resetProgress('starting');
    live.commit();
    logger.info({ attempt: job.attempts }, 'job started');
    try {
      const runner = this.options.runners[job.kind];
      if (runner === undefined) throw internal(`no runner for job kind ${job.kind}`);
      await fs.mkdir(workDir, { recursive: true });
      controller.signal.throwIfAborted();
      const result = await runner({
        job: snapshot(job),
        signal: controller.signal,
        workDir,
        logger,
        progress: (update) => live.progress(update),
      });
      this.finish(live, JobState.JOB_STATE_SUCCEEDED, { result });
      logger.info({ version: `${result.modelName}:${result.version}` }, 'job succeeded');
    } catch (err) {
      this.settleFailure(live, controller.signal, err, logger);
    } finally {
      live.controller = undefined;
      await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private settleFailure(live: LiveJob, signal: AbortSignal, err: unknown, logger: Logger): void {
    if (signal.aborted && signal.reason === this.shutdownReason) {
      // Back in the queue of the next start; this interrupted attempt does not count.
      Object.assign(live.job, {
        state: JobState.JOB_STATE_QUEUED,
        attempts: live.job.attempts - 1,
        startedAt: undefined,
      });
      live.resetProgress('queued');
      live.commit();
      logger.info('job interrupted by shutdown; it runs again at the next start');
      return;
    }
    if (signal.aborted) {
      this.finish(live, JobState.JOB_STATE_CANCELLED, { error: 'cancelled', errorCode: 'CANCELLED' });
      logger.info('job cancelled');
      return;
    }
    const known = err instanceof HeadstartError;
    const error = known ? err : HeadstartError.from(err);
    const message = known ? err.message : `${err instanceof Error ? err.message : String(err)}`;
    this.finish(live, JobState.JOB_STATE_FAILED, { error: message, errorCode: error.codeName });
    logger.warn({ err, code: error.codeName }, 'job failed');
  }
}
