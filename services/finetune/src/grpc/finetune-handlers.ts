// The FinetuneService gRPC handlers: thin adapters over the trigger, job and prediction services.
import { invalidArgument } from '@headstart/errors';
import type { finetune } from '@headstart/proto';
import { common } from '@headstart/proto';
import { serverStream, unary } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import { buildJob } from '../jobs/build-job';
import type { JobEvents } from '../jobs/job-events';
import type { JobService } from '../jobs/job-service';
import type { Predictor } from '../predict/predictor';
import type { RegistryClient } from '@headstart/registry-client';
import type { FinetuneStore } from '../store/finetune-store';
import type { TriggerService } from '../triggers/trigger-service';
import type { StudyEvents } from '../jobs/job-events';
import type { StudyService } from '../studies/study-service';
import { watchJob, watchStudy } from './watch';

export interface HandlerDeps {
  store: FinetuneStore;
  jobs: JobService;
  events: JobEvents;
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
      triggers: triggers.list(request.baseModelName),
    })),
    deleteTrigger: unary(async (request: finetune.DeleteTriggerRequest) => {
      triggers.delete(requireId(request.triggerId, 'trigger_id'));
      return {};
    }),
    startFinetune: unary(async (request: finetune.StartFinetuneRequest, ctx) => {
      if (!request.spec) throw invalidArgument('spec is required', { field: 'spec' });
      if (request.idempotencyKey !== '') {
        const existing = deps.store.findByIdempotencyKey(request.idempotencyKey);
        if (existing) {
          const job = existing.enqueued ? existing.job : await jobs.enqueue(existing.job);
          return { finetune: job };
        }
      }
      const job = await buildJob(
        { spec: request.spec, signal: ctx.signal },
        { client: deps.client, datasets: deps.datasets },
      );
      const result = await jobs.create(job, request.idempotencyKey);
      ctx.logger.info({ finetune: result.job.id, created: result.created }, 'fine-tune started');
      return { finetune: result.job };
    }),
    getFinetune: unary(async (request: finetune.GetFinetuneRequest) => ({
      finetune: jobs.get(requireId(request.finetuneId, 'finetune_id')),
    })),
    listFinetunes: unary(async (request: finetune.ListFinetunesRequest) => {
      checkListQuery(request.pageSize, request.state);
      return deps.store.listJobs({
        pageSize: request.pageSize || DEFAULT_PAGE,
        pageToken: request.pageToken,
        state: request.state,
        triggerId: request.triggerId,
        baseModelName: request.baseModelName,
      });
    }),
    watchFinetune: serverStream(async (request: finetune.WatchFinetuneRequest, ctx) =>
      watchJob(requireId(request.finetuneId, 'finetune_id'), jobs, deps.events, ctx),
    ),
    cancelFinetune: unary(async (request: finetune.CancelFinetuneRequest) => ({
      finetune: jobs.cancel(requireId(request.finetuneId, 'finetune_id')),
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
      study: studies.get(requireId(request.studyId, 'study_id')),
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
