// The FinetuneService gRPC handlers: thin adapters over the trigger, job and prediction services.
import { invalidArgument } from '@headstart/errors';
import type { finetune } from '@headstart/proto';
import { common } from '@headstart/proto';
import { serverStream, unary } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import { buildJob } from '../jobs/build-job';
import type { JobService } from '../jobs/job-service';
import { idempotencyToken } from '../jobs/job-store';
import { newFinetuneId } from '../ids';
import type { Predictor } from '../predict/predictor';
import type { RegistryClient } from '@headstart/registry-client';
import type { TriggerService } from '../triggers/trigger-service';
import type { StudyEvents } from '../jobs/job-events';
import type { StudyService } from '../studies/study-service';
import { watchJob, watchStudy } from './watch';

export interface HandlerDeps {
  jobs: JobService;
  triggers: TriggerService;
  predictor: Predictor;
  client: RegistryClient;
  datasets: DatasetLoader;
  studies: StudyService;
  studyEvents: StudyEvents;
}

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

function checkListQuery(pageSize: number, state: common.JobState): void {
  if (pageSize > MAX_PAGE) {
    throw invalidArgument(`page_size ${pageSize} is above ${MAX_PAGE}`, { field: 'page_size' });
  }
  if (!Object.values(common.JobState).includes(state) || state < 0) {
    throw invalidArgument(`unknown state ${state}`, { field: 'state' });
  }
}

function requireId(value: string, field: string): string {
  if (value === '') throw invalidArgument(`${field} is required`, { field });
  return value;
}

export function createFinetuneHandlers(deps: HandlerDeps): finetune.FinetuneServiceServer {
  const { jobs, triggers, predictor } = deps;
  return {
    createTrigger: unary(async (request: finetune.CreateTriggerRequest, ctx) => {
      if (!request.trigger) throw invalidArgument('trigger is required', { field: 'trigger' });
      return { trigger: await triggers.create(request.trigger, ctx.signal) };
    }),
    listTriggers: unary(async (request: finetune.ListTriggersRequest) => ({
      triggers: await triggers.list(request.baseModelName),
    })),
    deleteTrigger: unary(async (request: finetune.DeleteTriggerRequest) => {
      triggers.delete(requireId(request.triggerId, 'trigger_id'));
      return {};
    }),
    startFinetune: unary(async (request: finetune.StartFinetuneRequest, ctx) => {
      if (!request.spec) throw invalidArgument('spec is required', { field: 'spec' });
      // The key is bound to the job's id before the job is built: a repeat finds the job, or builds it
      // again under the same id when the first call stopped before storing it.
      const keyed = request.idempotencyKey !== '';
      const id = keyed
        ? await jobs.reserve(idempotencyToken('start', request.idempotencyKey))
        : newFinetuneId();
      const existing = keyed ? await jobs.existing(id) : undefined;
      if (existing) return { finetune: existing };
      const job = await buildJob(
        { spec: request.spec, id, signal: ctx.signal },
        { client: deps.client, datasets: deps.datasets },
      );
      const result = await jobs.create(job);
      ctx.logger.info({ finetune: result.job.id, created: result.created }, 'fine-tune started');
      return { finetune: result.job };
    }),
    getFinetune: unary(async (request: finetune.GetFinetuneRequest) => ({
      finetune: await jobs.get(requireId(request.finetuneId, 'finetune_id')),
    })),
    listFinetunes: unary(async (request: finetune.ListFinetunesRequest) => {
      checkListQuery(request.pageSize, request.state);
      return jobs.list({
        pageSize: request.pageSize || DEFAULT_PAGE,
        pageToken: request.pageToken,
        state: request.state,
        triggerId: request.triggerId,
        baseModelName: request.baseModelName,
      });
    }),
    watchFinetune: serverStream(async (request: finetune.WatchFinetuneRequest, ctx) =>
      watchJob(requireId(request.finetuneId, 'finetune_id'), jobs, ctx),
    ),
    cancelFinetune: unary(async (request: finetune.CancelFinetuneRequest) => ({
      finetune: await jobs.cancel(requireId(request.finetuneId, 'finetune_id')),
    })),
    classify: unary((request: finetune.ClassifyRequest, ctx) => predictor.classify(request, ctx.signal)),
    fillMask: unary((request: finetune.FillMaskRequest, ctx) => predictor.fillMask(request, ctx.signal)),
    ...studyHandlers(deps),
  };
}

function studyHandlers(
  deps: HandlerDeps,
): Pick<
  finetune.FinetuneServiceServer,
  'startStudy' | 'getStudy' | 'listStudies' | 'watchStudy' | 'cancelStudy'
> {
  const { studies } = deps;
  return {
    startStudy: unary(async (request: finetune.StartStudyRequest, ctx) => {
      if (!request.spec) throw invalidArgument('spec is required', { field: 'spec' });
      const study = await studies.start({ spec: request.spec, signal: ctx.signal }, request.idempotencyKey);
      ctx.logger.info({ study: study.id, trials: study.trialsTotal }, 'study started');
      return { study };
    }),
    getStudy: unary(async (request: finetune.GetStudyRequest) => ({
      study: await studies.get(requireId(request.studyId, 'study_id')),
    })),
    listStudies: unary(async (request: finetune.ListStudiesRequest) => {
      checkListQuery(request.pageSize, request.state);
      return studies.list({
        pageSize: request.pageSize || DEFAULT_PAGE,
        pageToken: request.pageToken,
        state: request.state,
        baseModelName: request.baseModelName,
      });
    }),
    watchStudy: serverStream(async (request: finetune.WatchStudyRequest, ctx) => {
      const id = requireId(request.studyId, 'study_id');
      return watchStudy(id, () => studies.get(id), deps.studyEvents, ctx);
    }),
    cancelStudy: unary(async (request: finetune.CancelStudyRequest) => ({
      study: await studies.cancel(requireId(request.studyId, 'study_id')),
    })),
  };
}
