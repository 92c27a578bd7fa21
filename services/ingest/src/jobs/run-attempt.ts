// One attempt at an ingest job on a worker: the runner of its kind, with a heartbeat that writes the
// job's progress into its record (fenced by the lease), tells the queue the worker is alive, and notices
// a cancel request (as does a watch of the record, sooner). A job has no checkpoint: an attempt after a
// dead or stopped worker starts over.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { cancelled, internal, unavailable } from '@headstart/errors';
import type { DeliveryContext } from '@headstart/events';
import { LostLeaseError, updateLeased, type AttemptOutcome, type Lease } from '@headstart/jobs';
import { ingest } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { getTracer, withSpan } from '@headstart/telemetry';
import type { IngestJobStore } from './job-records';
import { JobProgress } from './job-progress';
import type { JobRunner } from './job-runner';

export interface AttemptDeps {
  store: IngestJobStore;
  runners: Partial<Record<ingest.JobKind, JobRunner>>;
  /** Each attempt gets `<workDir>/<job id>`, removed afterwards. */
  workDir: string;
  logger: Logger;
  /** How often the record gets the job's progress and the queue a heartbeat. */
  progressIntervalMs: number;
}

type Claim = { job: ingest.Job; lease: Lease };

/** Why an attempt's runner was stopped. */
type StopReason = { kind: 'cancelled' } | { kind: 'handedBack' } | { kind: 'lostLease'; err: LostLeaseError };

/** `train_tokenizer` for JOB_KIND_TRAIN_TOKENIZER. */
function kindName(kind: ingest.JobKind): string {
  return ingest
    .jobKindToJSON(kind)
    .replace(/^JOB_KIND_/, '')
    .toLowerCase();
}

/** Calls `beat` every `ms` (never two at once); stop() waits for the one in flight. */
function startHeartbeat(beat: () => Promise<void>, ms: number): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    inFlight = beat().finally(() => (busy = false));
  }, ms);
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** The attempt in a span `ingest job <kind>`, in the trace of the request that submitted the job. */
export function runAttempt(
  claim: Claim,
  ctx: DeliveryContext,
  deps: AttemptDeps,
): Promise<AttemptOutcome<ingest.Job>> {
  const kind = kindName(claim.job.kind);
  return withSpan(
    getTracer('@headstart/ingest'),
    `ingest job ${kind}`,
    { attributes: { 'headstart.job.id': claim.job.id, 'headstart.job.kind': kind } },
    () => attempt(claim, ctx, deps, kind),
  );
}

async function attempt(
  { job, lease }: Claim,
  ctx: DeliveryContext,
  deps: AttemptDeps,
  kind: string,
): Promise<AttemptOutcome<ingest.Job>> {
  const { store } = deps;
  const logger = deps.logger.child({ jobId: job.id, kind, attempt: job.attempts });
  const controller = new AbortController();
  let stop: StopReason | undefined;
  const abort = (reason: StopReason, err: Error): void => {
    stop ??= reason;
    controller.abort(err);
  };
  const onWorkerStop = () =>
    abort({ kind: 'handedBack' }, unavailable('the ingest worker is stopping; the job runs again'));
  ctx.signal.addEventListener('abort', onWorkerStop, { once: true });
  if (ctx.signal.aborted) onWorkerStop();

  const progress = new JobProgress('starting');
  const write = (change: (j: ingest.Job) => ingest.Job) => updateLeased(store, job.id, lease, change);
  const beat = async (): Promise<void> => {
    ctx.working();
    try {
      const stored = await write((j) => progress.applyTo(j));
      if (stored.job.cancelRequested) abort({ kind: 'cancelled' }, cancelled(`job ${job.id} was cancelled`));
    } catch (err) {
      if (err instanceof LostLeaseError) abort({ kind: 'lostLease', err }, err);
      else logger.warn({ err }, 'progress not recorded; trying again at the next heartbeat');
    }
  };
  await beat();
  const heartbeat = startHeartbeat(beat, deps.progressIntervalMs);
  let cancelWatch: { stop(): void } | undefined;
  const workDir = path.join(deps.workDir, job.id);
  logger.info('job started');
  try {
    // A cancel is noticed at once through a watch of the record (the next heartbeat would see it too).
    cancelWatch = await store.watch(job.id, ({ job: current }) => {
      if (current.cancelRequested) abort({ kind: 'cancelled' }, cancelled(`job ${job.id} was cancelled`));
    });
    const runner = deps.runners[job.kind];
    if (runner === undefined) throw internal(`no runner for job kind ${job.kind}`);
    await fs.mkdir(workDir, { recursive: true });
    controller.signal.throwIfAborted();
    const result = await runner({
      job,
      signal: controller.signal,
      workDir,
      logger,
      progress: (update) => progress.update(update),
    });
    logger.info({ version: `${result.modelName}:${result.version}` }, 'job registered its version');
    return { kind: 'completed', results: (j) => ({ ...progress.applyTo(j), result, phase: 'done' }) };
  } catch (err) {
    if (stop === undefined) throw err;
    await heartbeat.stop(); // no beat may land after what the record says about the stop
    return await stopped(stop, write, progress);
  } finally {
    cancelWatch?.stop();
    await heartbeat.stop();
    ctx.signal.removeEventListener('abort', onWorkerStop);
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The outcome of a runner stopped from outside, with what the record should say about it. */
async function stopped(
  stop: StopReason,
  write: (change: (j: ingest.Job) => ingest.Job) => Promise<unknown>,
  progress: JobProgress,
): Promise<AttemptOutcome<ingest.Job>> {
  if (stop.kind === 'lostLease') throw stop.err;
  if (stop.kind === 'cancelled') {
    // The settle keeps these (libs/jobs `finished`): a cancelled job says so in error_code.
    await write((j) => ({ ...progress.applyTo(j), error: 'cancelled', errorCode: 'CANCELLED' }));
    return { kind: 'cancelled' };
  }
  // Back in the queue: the next attempt starts over, so the progress starts over too.
  await write((j) => new JobProgress('queued').applyTo(j));
  return { kind: 'handedBack' };
}
