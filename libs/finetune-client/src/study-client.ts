// The transfer-study RPCs of the finetune client, built on the same bound calls as its fine-tune methods.
import * as grpc from '@grpc/grpc-js';
import { followItems, type ConnectedClient } from '@headstart/client-kit';
import { common, type finetune } from '@headstart/proto';
import { callServerStream, required, type CallSettings } from './call';
import { isTerminalJobState, parseJobState, type JobStateInput } from './inputs';
import { toStudySpec, type StudySpecInput } from './study-inputs';

export interface ListStudiesInput {
  state?: JobStateInput;
  /** Only studies of a version of this base model. */
  baseModel?: string;
  pageSize?: number;
  pageToken?: string;
}

/** The study methods of a FinetuneClient. */
export interface StudyClient {
  /** Validates, records and queues a study; a retry with the same idempotencyKey returns the same study. */
  startStudy(
    spec: StudySpecInput | finetune.StudySpec,
    options?: CallSettings & { idempotencyKey?: string },
  ): Promise<finetune.Study>;
  /** The study with its trials. */
  getStudy(studyId: string, settings?: CallSettings): Promise<finetune.Study>;
  /** One page, newest first, without trials. */
  listStudies(input?: ListStudiesInput, settings?: CallSettings): Promise<finetune.ListStudiesResponse>;
  /** Follows a study until it is terminal, calling `onUpdate` with every state; resolves with the last. */
  watchStudy(
    studyId: string,
    onUpdate?: (study: finetune.Study) => void,
    settings?: CallSettings,
  ): Promise<finetune.Study>;
  /** Cancels every unfinished trial; the study ends CANCELLED without a report. */
  cancelStudy(studyId: string, settings?: CallSettings): Promise<finetune.Study>;
}

export function isTerminalStudy(study: finetune.Study): boolean {
  return isTerminalJobState(study.state);
}

// A wire message has `baseModel`; the friendly input calls it `base`.
const isStudySpecMessage = (v: StudySpecInput | finetune.StudySpec): v is finetune.StudySpec =>
  'baseModel' in v || 'reportModelName' in v;

export function createStudyMethods(connection: ConnectedClient<finetune.FinetuneServiceClient>): StudyClient {
  const { grpcClient, context, unary } = connection;
  return {
    async startStudy(spec, startOptions = {}) {
      const request: finetune.StartStudyRequest = {
        spec: isStudySpecMessage(spec) ? spec : toStudySpec(spec),
        idempotencyKey: startOptions.idempotencyKey ?? '',
      };
      return required(
        (await unary('StartStudy', grpcClient.startStudy, request, startOptions)).study,
        'a study',
      );
    },

    async getStudy(studyId, settings) {
      return required((await unary('GetStudy', grpcClient.getStudy, { studyId }, settings)).study, 'a study');
    },

    listStudies(input = {}, settings) {
      const request: finetune.ListStudiesRequest = {
        state: input.state === undefined ? common.JobState.JOB_STATE_UNSPECIFIED : parseJobState(input.state),
        baseModelName: input.baseModel ?? '',
        pageSize: input.pageSize ?? 0,
        pageToken: input.pageToken ?? '',
      };
      return unary('ListStudies', grpcClient.listStudies, request, settings);
    },

    async watchStudy(studyId, onUpdate, settings) {
      const last = await callServerStream(
        (callOptions) => grpcClient.watchStudy({ studyId }, new grpc.Metadata(), callOptions),
        followItems((message) => message.study, onUpdate),
        context('WatchStudy', settings, true),
        settings?.signal,
      );
      return required(last, 'a study');
    },

    async cancelStudy(studyId, settings) {
      return required(
        (await unary('CancelStudy', grpcClient.cancelStudy, { studyId }, settings)).study,
        'a study',
      );
    },
  };
}
