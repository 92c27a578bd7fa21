// Triggers: stored durably, and applied to the registry's events. For each (checkpoint version, trigger)
// exactly one job exists, whatever redeliveries, duplicate events or restarts happen: the idempotency key
// `trigger-<trigger id>-<version id>` in the job store binds the pair to one job id before the job is
// built, the work item is enqueued with Nats-Msg-Id = job id, and a redelivered event that finds the job
// still QUEUED enqueues it again (the queued sweep does the same for one whose enqueue outlived a crash).
import { Code, HeadstartError, isHeadstartError, notFound } from '@headstart/errors';
import type { EventContext, EventType } from '@headstart/events';
import type { PretrainClient } from '@headstart/pretrain-client';
import { finetune, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import { newTriggerId } from '../ids';
import { buildJob, checkOutputName, failedJob, isPermanent } from '../jobs/build-job';
import type { JobService } from '../jobs/job-service';
import { idempotencyToken } from '../jobs/job-store';
import type { StudyService } from '../studies/study-service';
import { NO_PRETRAIN_ADDRESS, checkAdaptationTrigger, startAdaptation } from './adaptation-trigger';
import { checkStudyTrigger, failedStudy } from './study-trigger';
import {
  ALIAS_NAME_PATTERN,
  ALIAS_NAME_RULE,
  MODEL_NAME_PATTERN,
  MODEL_NAME_RULE,
  Problems,
  TAG_PATTERN,
  TAG_RULE,
} from '../spec/problems';
import { dataSettings, pinned, resolveSpec } from '../spec/resolve-spec';
import type { FinetuneStore } from '../store/finetune-store';
import { candidateOf, matches, type Candidate, type TriggerEvent } from './match';

const { TriggerCondition } = finetune;

export interface TriggerServiceOptions {
  store: FinetuneStore;
  jobs: JobService;
  /** Starts the studies of triggers that carry one. */
  studies: StudyService;
  client: RegistryClient;
  datasets: DatasetLoader;
  /** Starts the runs of adaptation triggers; without it, such triggers are refused. */
  pretrain?: PretrainClient | undefined;
  logger: Logger;
  now?: () => Date;
}

export class TriggerService {
  constructor(private readonly options: TriggerServiceOptions) {}

  /** Validates and stores a trigger (the dataset is read, so a bad field fails now, not at the event). */
  async create(input: finetune.Trigger, signal?: AbortSignal): Promise<finetune.Trigger> {
    const { client, datasets } = this.options;
    const problems = new Problems();
    const name = input.baseModelName;
    if (name === '') problems.add('trigger.base_model_name', 'is required');
    else problems.pattern('trigger.base_model_name', name, MODEL_NAME_PATTERN, MODEL_NAME_RULE);
    const condition = input.condition || TriggerCondition.TRIGGER_CONDITION_EVERY_CHECKPOINT;
    if (!Object.values(TriggerCondition).includes(condition) || condition < 0) {
      problems.add('trigger.condition', `unknown condition ${String(input.condition)}`);
    }
    if (condition === TriggerCondition.TRIGGER_CONDITION_ALIAS) {
      problems.pattern('trigger.alias', input.alias, ALIAS_NAME_PATTERN, ALIAS_NAME_RULE);
    } else if (input.alias !== '') problems.add('trigger.alias', 'is only used with the alias condition');
    if (condition === TriggerCondition.TRIGGER_CONDITION_TAG) {
      problems.pattern('trigger.tag', input.tag, TAG_PATTERN, TAG_RULE);
    } else if (input.tag !== '') problems.add('trigger.tag', 'is only used with the tag condition');
    if (input.adaptation) {
      const deps = { client, pretrain: this.options.pretrain };
      return this.store(await checkAdaptationTrigger(input, condition, problems, deps, signal));
    }
    if (input.study)
      return this.store(await checkStudyTrigger(input, condition, problems, this.options, signal));
    const rawSpec = input.spec ?? finetune.FinetuneSpec.fromPartial({});
    const resolved = resolveSpec(
      { ...rawSpec, baseModel: undefined },
      { baseName: name, requireBaseRef: false },
    );
    for (const p of resolved.problems.list)
      problems.list.push({ ...p, field: `trigger.${p.field}`, message: `trigger.${p.message}` });
    problems.throwIfAny();
    const spec = { ...resolved.spec, baseModel: undefined };

    // The base model may not exist yet (a trigger set up before pre-training starts), but if it does it
    // must be a BASE_MODEL.
    try {
      const model = await client.getModel(name, signal ? { signal } : {});
      if (model.kind !== registry.ModelKind.MODEL_KIND_BASE_MODEL) {
        throw new HeadstartError(
          Code.FAILED_PRECONDITION,
          `trigger.base_model_name ${JSON.stringify(name)} is not a BASE_MODEL`,
          {
            details: { field: 'trigger.base_model_name' },
          },
        );
      }
    } catch (err) {
      if (!isHeadstartError(err, Code.NOT_FOUND)) throw err;
    }
    const dataset = await client.getVersion(spec.dataset!, signal ? { signal } : {});
    if (dataset.kind !== registry.ModelKind.MODEL_KIND_DATASET) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `trigger.spec.dataset ${dataset.modelName}:${dataset.version} is not a DATASET`,
        {
          details: { field: 'trigger.spec.dataset' },
        },
      );
    }
    await datasets.prepare(dataset, dataSettings(spec), signal);
    await checkOutputName(client, spec.outputModelName, signal);

    return this.store({ ...input, condition, spec });
  }

  private store(input: finetune.Trigger): finetune.Trigger {
    const trigger: finetune.Trigger = {
      ...input,
      id: newTriggerId(),
      createdAt: this.options.now?.() ?? new Date(),
      firedCount: 0,
    };
    this.options.store.insertTrigger(trigger);
    this.options.logger.info({ trigger: trigger.id, baseModel: trigger.baseModelName }, 'trigger created');
    return trigger;
  }

  /** The triggers, each with what it fired so far (its jobs are counted in the job store). */
  async list(baseModelName: string): Promise<finetune.Trigger[]> {
    const triggers = this.options.store.listTriggers(baseModelName);
    const jobs = await this.options.jobs.countByTrigger();
    return triggers.map((t) => ({ ...t, firedCount: t.firedCount + (jobs.get(t.id) ?? 0) }));
  }

  delete(id: string): void {
    if (!this.options.store.deleteTrigger(id))
      throw notFound(`no trigger ${JSON.stringify(id)}`, { field: 'trigger_id' });
  }

  /**
   * The `finetune-triggers` consumer's handler. Throws on transient failures (the event is redelivered
   * and handled again: idempotent); a spec that can no longer run becomes a FAILED job instead.
   */
  async handle(event: TriggerEvent, ctx: EventContext<EventType>): Promise<void> {
    const candidate = candidateOf(event);
    if (!candidate) return;
    const publishedMs = Math.floor(ctx.msg.info.timestampNanos / 1e6);
    // A trigger fires for events published after it was created (a replayed stream must not fire a new
    // trigger for old checkpoints).
    const fired = this.options.store
      .listTriggers(candidate.modelName)
      .filter((t) => matches(t, candidate) && publishedMs >= (t.createdAt?.getTime() ?? 0));
    for (const trigger of fired) await this.fire(trigger, candidate, ctx.signal);
  }

  private async fire(trigger: finetune.Trigger, candidate: Candidate, signal: AbortSignal): Promise<void> {
    const { store, jobs, client, datasets, logger } = this.options;
    if (trigger.adaptation && store.findTriggeredRun(trigger.id, candidate.versionId)) return;
    const makesJob = !trigger.adaptation && !trigger.study;
    const id = makesJob
      ? await jobs.reserve(idempotencyToken('trigger', `${trigger.id}-${candidate.versionId}`))
      : '';
    if (makesJob && (await jobs.existing(id))) return;
    let base = candidate.full;
    if (!base) {
      try {
        base = await client.getVersion(pinned(candidate.modelName, candidate.version), { signal });
      } catch (err) {
        // Deleted since the event: nothing to fine-tune (version numbers are never reused).
        if (!isHeadstartError(err, Code.NOT_FOUND)) throw err;
        logger.warn(
          { trigger: trigger.id, version: candidate.versionId },
          'trigger matched a version that no longer exists',
        );
        return;
      }
    }
    if (trigger.adaptation) return this.fireAdaptation(trigger, base, signal);
    if (trigger.study) return this.fireStudy(trigger, trigger.study, base, signal);
    const spec = trigger.spec ?? finetune.FinetuneSpec.fromPartial({});
    let job: finetune.Finetune;
    try {
      job = await buildJob({ spec, id, triggerId: trigger.id, base, signal }, { client, datasets });
    } catch (err) {
      if (!isPermanent(err)) throw err;
      const error = err as HeadstartError;
      logger.warn(
        { trigger: trigger.id, version: base.id, err: error.message },
        'trigger fired but its job cannot run',
      );
      job = failedJob(spec, trigger.id, base, error, id);
    }
    const result = await jobs.create(job);
    if (result.created) {
      logger.info(
        { trigger: trigger.id, finetune: result.job.id, base: `${base.modelName}:${base.version}` },
        'trigger fired',
      );
    }
  }

  private async fireAdaptation(
    trigger: finetune.Trigger,
    base: registry.ModelVersion,
    signal: AbortSignal,
  ): Promise<void> {
    const { store, pretrain, logger } = this.options;
    const at = `${base.modelName}:${base.version}`;
    if (!pretrain) {
      // Configured away since the trigger was stored: visible on the trigger, not retried forever.
      store.recordTriggeredRun(trigger.id, base.id, { runId: '', error: NO_PRETRAIN_ADDRESS });
      logger.warn({ trigger: trigger.id, base: at }, NO_PRETRAIN_ADDRESS);
      return;
    }
    try {
      const run = await startAdaptation(pretrain, trigger, base, signal);
      store.recordTriggeredRun(trigger.id, base.id, { runId: run.id, error: '' });
      logger.info({ trigger: trigger.id, run: run.id, base: at }, 'trigger fired: adaptation run started');
    } catch (err) {
      if (!isPermanent(err)) throw err;
      const error = (err as HeadstartError).message;
      store.recordTriggeredRun(trigger.id, base.id, { runId: '', error });
      logger.warn(
        { trigger: trigger.id, version: base.id, err: error },
        'trigger fired but its run cannot start',
      );
    }
  }

  private async fireStudy(
    trigger: finetune.Trigger,
    spec: finetune.StudySpec,
    base: registry.ModelVersion,
    signal: AbortSignal,
  ): Promise<void> {
    const { studies, logger } = this.options;
    try {
      const study = await studies.start({ spec, triggerId: trigger.id, base, signal });
      logger.info(
        { trigger: trigger.id, study: study.id, base: `${base.modelName}:${base.version}` },
        'trigger fired',
      );
    } catch (err) {
      if (!isPermanent(err)) throw err;
      const error = err as HeadstartError;
      logger.warn(
        { trigger: trigger.id, version: base.id, err: error.message },
        'trigger fired but its study cannot run',
      );
      studies.recordFailed(failedStudy(spec, trigger.id, base, error));
    }
  }
}
