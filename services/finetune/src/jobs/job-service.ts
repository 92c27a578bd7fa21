// The API's side of a job's life: creating it once (an idempotency key in the job store binds a request,
// a trigger's checkpoint or a study's trial to one job id), putting it on the work queue, cancelling it,
// and reading records back. Workers write everything else in the record themselves (libs/jobs).
import { Code, isHeadstartError, notFound } from '@headstart/errors';
import type { EventBus, WorkTypeDef } from '@headstart/events';
import { WORK_TYPES } from '@headstart/events';
import { JOB_ID_PATTERN, isTerminal, requestCancel } from '@headstart/jobs';
import { common, type finetune } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import { newFinetuneId } from '../ids';
import { listPage, type JobQuery } from './job-list';
import type { FinetuneJobStore } from './job-store';

const { JobState } = common;

export interface JobServiceOptions {
  store: FinetuneJobStore;
  bus: EventBus;
  logger: Logger;
  /** The work queue of the jobs. @default the topology's finetune work type */
  workType?: WorkTypeDef<finetune.FinetuneWork>;
  now?: () => Date;
  /** Test seam: runs after a job record is created and before its work item is enqueued. */
  afterJobInserted?: (job: finetune.Finetune) => Promise<void>;
}

export interface CreateJobResult {
  job: finetune.Finetune;
  /** False when the idempotency key already had a job. */
  created: boolean;
}

const noSuchJob = (id: string) =>
  notFound(`no fine-tune job ${JSON.stringify(id)}`, { field: 'finetune_id' });

/** A job id as a key of the job store; an id no job can have (not a valid key) is NOT_FOUND. */
function jobKey(id: string): string {
  if (!JOB_ID_PATTERN.test(id)) throw noSuchJob(id);
  return id;
}

export class JobService {
  private readonly now: () => Date;

  constructor(private readonly options: JobServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get store(): FinetuneJobStore {
    return this.options.store;
  }

  async get(id: string): Promise<finetune.Finetune> {
    const stored = await this.options.store.get(jobKey(id));
    if (!stored) throw noSuchJob(id);
    return stored.job;
  }

  /**
   * The job id bound to idempotency key `key` (a KV key token, see idempotencyToken): the one an earlier
   * call bound, else a new one bound now. Its record may not exist yet (a crash after the binding).
   */
  reserve(key: string): Promise<string> {
    return this.options.store.claimIdempotencyKey(key, newFinetuneId());
  }

  /** The stored job `id` with its work item made sure of (the call that created it may have died). */
  async existing(id: string): Promise<finetune.Finetune | undefined> {
    const stored = await this.options.store.get(id);
    if (!stored) return undefined;
    if (stored.job.state === JobState.JOB_STATE_QUEUED) await this.enqueue(id);
    return stored.job;
  }

  /**
   * Stores the job (under the id `key` is bound to, when given) unless it is stored already, then makes
   * sure a queued job's work item is on the queue. Safe to call again with the same input at any point.
   */
  async create(job: finetune.Finetune, key = ''): Promise<CreateJobResult> {
    const id = key === '' ? job.id : await this.options.store.claimIdempotencyKey(key, job.id);
    const found = await this.existing(id);
    if (found) return { job: found, created: false };
    const record = { ...job, id };
    try {
      await this.options.store.create({ job: record });
    } catch (err) {
      // Another call with the same key created it meanwhile.
      if (!isHeadstartError(err, Code.ALREADY_EXISTS)) throw err;
      return { job: (await this.existing(id)) ?? record, created: false };
    }
    await this.options.afterJobInserted?.(record);
    if (record.state === JobState.JOB_STATE_QUEUED) await this.enqueue(id);
    return { job: await this.get(id), created: true };
  }

  /**
   * Stores the work item (Nats-Msg-Id = job id: a repeat within the dedupe window is dropped by
   * JetStream, a later one by the worker's claim) and stamps the job's queued_at the first time.
   */
  async enqueue(id: string): Promise<void> {
    await this.options.bus.enqueueWork(
      this.options.workType ?? WORK_TYPES.finetune,
      { finetuneId: id },
      { msgId: id },
    );
    const queuedAt = this.now();
    await this.options.store.update(id, (record) =>
      record.job.queuedAt ? undefined : { ...record, job: { ...record.job, queuedAt } },
    );
  }

  /** A queued job ends CANCELLED at once; a running one when its worker next writes to the record. */
  async cancel(id: string): Promise<finetune.Finetune> {
    try {
      return await requestCancel(this.options.store, jobKey(id));
    } catch (err) {
      if (isHeadstartError(err, Code.NOT_FOUND)) throw noSuchJob(id);
      throw err;
    }
  }

  /** One page of jobs, newest first (ListFinetunes). */
  async list(query: JobQuery): Promise<{ finetunes: finetune.Finetune[]; nextPageToken: string }> {
    return listPage(await this.options.store.list(), query);
  }

  /** The trial jobs of a study, oldest first. */
  async ofStudy(studyId: string): Promise<finetune.Finetune[]> {
    const jobs = (await this.options.store.list()).filter((job) => job.studyId === studyId);
    return jobs.sort(
      (a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0) || a.id.localeCompare(b.id),
    );
  }

  /** How many jobs each trigger created. */
  async countByTrigger(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const job of await this.options.store.list()) {
      if (job.triggerId !== '') counts.set(job.triggerId, (counts.get(job.triggerId) ?? 0) + 1);
    }
    return counts;
  }
}

export function isFinished(job: finetune.Finetune): boolean {
  return isTerminal(job.state);
}
