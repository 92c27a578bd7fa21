// The API's side of a job's life: creating it (once), putting it on the work queue (the outbox flag makes
// a crash between insert and enqueue harmless), and the state changes workers report through the control
// protocol or users ask for (cancel).
import { notFound } from '@headstart/errors';
import type { EventBus, WorkTypeDef } from '@headstart/events';
import { captureTraceHeaders, traceContextFromHeaders, WORK_TYPES } from '@headstart/events';
import type { finetune } from '@headstart/proto';
import { common } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { isTerminal, type FinetuneStore, type InsertJobResult } from '../store/finetune-store';
import type { JobEvents } from './job-events';

const { JobState } = common;

export interface JobServiceOptions {
  store: FinetuneStore;
  bus: EventBus;
  events: JobEvents;
  logger: Logger;
  /** The work queue of the jobs. @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
  now?: () => Date;
  /** Test seam: runs after a job row is inserted and before its work item is enqueued. */
  afterJobInserted?: (job: finetune.Finetune) => Promise<void>;
}

export class JobService {
  private readonly now: () => Date;

  constructor(private readonly options: JobServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get(id: string): finetune.Finetune {
    const stored = this.options.store.getJob(id);
    if (!stored) throw notFound(`no fine-tune job ${JSON.stringify(id)}`, { field: 'finetune_id' });
    return stored.job;
  }

  /**
   * Inserts the job unless its (checkpoint, trigger) or idempotency key already has one, then makes sure
   * the stored job's work item is on the queue. Safe to call again with the same input at any point.
   */
  async create(job: finetune.Finetune, idempotencyKey = ''): Promise<InsertJobResult> {
    const result = this.options.store.insertJob(job, idempotencyKey, captureTraceHeaders());
    if (result.created) this.options.events.emit(result.job);
    if (result.created) await this.options.afterJobInserted?.(result.job);
    if (!result.enqueued) return { ...result, job: await this.enqueue(result.job), enqueued: true };
    return result;
  }

  /**
   * Stores the work item (Nats-Msg-Id = job id: a repeat is dropped by JetStream) and sets the flag. The
   * item is published in the trace of the request that created the job (stored with it), also when a
   * retry or the sweep after a crash enqueues it: the worker's spans join that trace.
   */
  async enqueue(job: finetune.Finetune): Promise<finetune.Finetune> {
    const trace = this.options.store.jobTrace(job.id);
    await this.options.bus.enqueueWork(
      this.options.workType ?? WORK_TYPES.finetune,
      { finetuneId: job.id },
      { msgId: job.id, ...(trace['traceparent'] ? { parent: traceContextFromHeaders(trace) } : {}) },
    );
    const updated = this.options.store.markEnqueued(job.id, this.now()) ?? job;
    this.options.events.emit(updated);
    return updated;
  }

  /** Enqueues every job whose work item may be missing (after a crash). Returns how many. */
  async enqueuePending(): Promise<number> {
    let count = 0;
    for (const job of this.options.store.jobsToEnqueue()) {
      await this.enqueue(job);
      count++;
    }
    if (count > 0) this.options.logger.info({ count }, 'enqueued fine-tune jobs left pending by a restart');
    return count;
  }

  private update(
    id: string,
    change: (job: finetune.Finetune) => finetune.Finetune | undefined,
  ): finetune.Finetune {
    const result = this.options.store.updateJob(id, change);
    if (!result) throw notFound(`no fine-tune job ${JSON.stringify(id)}`, { field: 'finetune_id' });
    if (result.changed) this.options.events.emit(result.job);
    return result.job;
  }

  cancel(id: string): finetune.Finetune {
    const now = this.now();
    return this.update(id, (job) => {
      if (isTerminal(job.state)) return undefined;
      if (job.state === JobState.JOB_STATE_QUEUED) {
        return { ...job, state: JobState.JOB_STATE_CANCELLED, finishedAt: now, updatedAt: now };
      }
      return job.cancelRequested ? undefined : { ...job, cancelRequested: true, updatedAt: now };
    });
  }

  claim(request: finetune.ClaimFinetuneRequest): finetune.ClaimFinetuneResponse {
    const now = this.now();
    let run = false;
    const job = this.update(request.finetuneId, (current) => {
      if (isTerminal(current.state)) return undefined;
      if (current.cancelRequested) {
        return {
          ...current,
          state: JobState.JOB_STATE_CANCELLED,
          finishedAt: now,
          updatedAt: now,
          worker: '',
        };
      }
      run = true;
      return {
        ...current,
        state: JobState.JOB_STATE_RUNNING,
        startedAt: current.startedAt ?? now,
        updatedAt: now,
        attempts: current.attempts + 1,
        worker: request.worker,
        backend: request.backend,
      };
    });
    return { run, finetune: job };
  }

  progress(p: finetune.FinetuneProgress): finetune.FinetuneProgressAck {
    const now = this.now();
    const job = this.update(p.finetuneId, (current) => {
      if (isTerminal(current.state)) return undefined;
      const next: finetune.Finetune = {
        ...current,
        state: JobState.JOB_STATE_RUNNING,
        worker: p.worker,
        step: p.step,
        totalSteps: p.totalSteps,
        epoch: p.epoch,
        loss: p.loss,
        updatedAt: now,
        resumedFromStep: p.resumedFromStep,
        ...(p.bestDev ? { bestDev: p.bestDev } : {}),
      };
      if (p.labels.length > 0) {
        Object.assign(next, {
          labels: p.labels,
          trainExamples: p.trainExamples,
          devExamples: p.devExamples,
          testExamples: p.testExamples,
          splitSource: p.splitSource,
          truncatedExamples: p.truncatedExamples,
          warnings: [...new Set([...current.warnings, ...p.warnings])],
        });
      }
      return next;
    });
    // A terminal job (cancelled, or finished by another delivery) tells its worker to stop.
    return { cancelRequested: job.cancelRequested || isTerminal(job.state) };
  }

  /**
   * Ends a job no worker can finish any more (its workers died on every delivery, or its work item is
   * gone): FAILED with `error`, or CANCELLED when a cancel was pending. Undefined when it was already
   * terminal (nothing changed) or does not exist.
   */
  abandon(id: string, error: string, errorCode: string): finetune.Finetune | undefined {
    const now = this.now();
    const result = this.options.store.updateJob(id, (current) => {
      if (isTerminal(current.state)) return undefined;
      const state = current.cancelRequested ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED;
      return { ...current, state, error, errorCode, finishedAt: now, updatedAt: now, worker: '' };
    });
    if (!result?.changed) return undefined;
    this.options.events.emit(result.job);
    return result.job;
  }

  finish(r: finetune.FinishFinetuneRequest): finetune.FinishFinetuneResponse {
    const now = this.now();
    const job = this.update(r.finetuneId, (current) => {
      if (isTerminal(current.state)) return undefined;
      return {
        ...current,
        state: r.state,
        error: r.error,
        errorCode: r.errorCode,
        resultVersion: r.resultVersion,
        metrics: r.metrics,
        bestDev: r.bestDev ?? current.bestDev,
        test: r.test,
        step: r.step || current.step,
        stoppedEarly: r.stoppedEarly,
        finishedAt: now,
        updatedAt: now,
        worker: '',
      };
    });
    return { finetune: job };
  }
}

export function isFinished(job: finetune.Finetune): boolean {
  return isTerminal(job.state);
}
