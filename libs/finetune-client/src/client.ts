import * as grpc from '@grpc/grpc-js';
import { followItems, type ClientConnectionOptions } from '@headstart/client-kit';
import { common, finetune } from '@headstart/proto';
import { toVersionRef, type VersionRefInput } from '@headstart/registry-client';
import { callServerStream, connect, required, type CallSettings } from './call';
import {
  isTerminalJobState,
  parseJobState,
  toFinetuneSpec,
  toTrigger,
  type FinetuneSpecInput,
  type JobStateInput,
  type TriggerInput,
} from './inputs';
import { createStudyMethods, type StudyClient } from './study-client';

/**
 * How to reach the finetune service: unary calls (Classify included) get 60 s by default, job and study
 * watches 24 hours.
 */
export type FinetuneClientOptions = ClientConnectionOptions;

export const DEFAULT_FINETUNE_DEADLINE_MS = 60_000;
export const DEFAULT_FINETUNE_STREAM_DEADLINE_MS = 24 * 3_600_000;

export interface ListFinetunesInput {
  state?: JobStateInput;
  triggerId?: string;
  baseModel?: string;
  pageSize?: number;
  pageToken?: string;
}

/**
 * A promise-based finetune client: triggers, fine-tune jobs, predictions and transfer studies. Every call
 * has a deadline; every error is a HeadstartError.
 */
export interface FinetuneClient extends StudyClient {
  readonly address: string;
  waitForReady(timeoutMs?: number): Promise<void>;
  createTrigger(input: TriggerInput | finetune.Trigger, settings?: CallSettings): Promise<finetune.Trigger>;
  listTriggers(baseModel?: string, settings?: CallSettings): Promise<finetune.Trigger[]>;
  deleteTrigger(triggerId: string, settings?: CallSettings): Promise<void>;
  startFinetune(
    spec: FinetuneSpecInput | finetune.FinetuneSpec,
    options?: CallSettings & { idempotencyKey?: string },
  ): Promise<finetune.Finetune>;
  getFinetune(finetuneId: string, settings?: CallSettings): Promise<finetune.Finetune>;
  listFinetunes(input?: ListFinetunesInput, settings?: CallSettings): Promise<finetune.ListFinetunesResponse>;
  /** Every page: all jobs matching `input`, newest first. */
  listAllFinetunes(
    input?: Omit<ListFinetunesInput, 'pageToken'>,
    settings?: CallSettings,
  ): Promise<finetune.Finetune[]>;
  /** Follows a job until it is terminal, calling `onUpdate` with every state; resolves with the last. */
  watchFinetune(
    finetuneId: string,
    onUpdate?: (job: finetune.Finetune) => void,
    settings?: CallSettings,
  ): Promise<finetune.Finetune>;
  cancelFinetune(finetuneId: string, settings?: CallSettings): Promise<finetune.Finetune>;
  classify(
    model: VersionRefInput,
    texts: string[],
    settings?: CallSettings,
  ): Promise<finetune.ClassifyResponse>;
  fillMask(
    model: VersionRefInput,
    text: string,
    topK?: number,
    settings?: CallSettings,
  ): Promise<finetune.FillMaskResponse>;
  close(): void;
}

export function isTerminalFinetune(job: finetune.Finetune): boolean {
  return isTerminalJobState(job.state);
}

const isSpecMessage = (v: FinetuneSpecInput | finetune.FinetuneSpec): v is finetune.FinetuneSpec =>
  'hyperparameters' in v || 'outputModelName' in v;

export function createFinetuneClient(options: FinetuneClientOptions): FinetuneClient {
  const connection = connect(finetune.FinetuneServiceClient, options, {
    deadlineMs: DEFAULT_FINETUNE_DEADLINE_MS,
    streamDeadlineMs: DEFAULT_FINETUNE_STREAM_DEADLINE_MS,
  });
  const { grpcClient, address, context, unary, waitForReady } = connection;
  const listFinetunes = (input: ListFinetunesInput = {}, settings?: CallSettings) => {
    const request: finetune.ListFinetunesRequest = {
      state: input.state === undefined ? common.JobState.JOB_STATE_UNSPECIFIED : parseJobState(input.state),
      triggerId: input.triggerId ?? '',
      baseModelName: input.baseModel ?? '',
      pageSize: input.pageSize ?? 0,
      pageToken: input.pageToken ?? '',
    };
    return unary('ListFinetunes', grpcClient.listFinetunes, request, settings);
  };

  return {
    address,

    waitForReady,

    async createTrigger(input, settings) {
      // The wire message names its base `baseModelName`; the friendly input `baseModel`.
      const trigger = 'baseModel' in input ? toTrigger(input) : input;
      return required(
        (await unary('CreateTrigger', grpcClient.createTrigger, { trigger }, settings)).trigger,
        'a trigger',
      );
    },

    async listTriggers(baseModel = '', settings) {
      return (await unary('ListTriggers', grpcClient.listTriggers, { baseModelName: baseModel }, settings))
        .triggers;
    },

    async deleteTrigger(triggerId, settings) {
      await unary('DeleteTrigger', grpcClient.deleteTrigger, { triggerId }, settings);
    },

    async startFinetune(spec, startOptions = {}) {
      const request = {
        spec: isSpecMessage(spec) ? spec : toFinetuneSpec(spec),
        idempotencyKey: startOptions.idempotencyKey ?? '',
      };
      return required(
        (await unary('StartFinetune', grpcClient.startFinetune, request, startOptions)).finetune,
        'a job',
      );
    },

    async getFinetune(finetuneId, settings) {
      return required(
        (await unary('GetFinetune', grpcClient.getFinetune, { finetuneId }, settings)).finetune,
        'a job',
      );
    },

    listFinetunes,

    async listAllFinetunes(input = {}, settings) {
      const jobs: finetune.Finetune[] = [];
      let pageToken = '';
      do {
        const page = await listFinetunes({ pageSize: 1000, ...input, pageToken }, settings);
        jobs.push(...page.finetunes);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return jobs;
    },

    async watchFinetune(finetuneId, onUpdate, settings) {
      const last = await callServerStream(
        (callOptions) => grpcClient.watchFinetune({ finetuneId }, new grpc.Metadata(), callOptions),
        followItems((message) => message.finetune, onUpdate),
        context('WatchFinetune', settings, true),
        settings?.signal,
      );
      return required(last, 'a job');
    },

    async cancelFinetune(finetuneId, settings) {
      return required(
        (await unary('CancelFinetune', grpcClient.cancelFinetune, { finetuneId }, settings)).finetune,
        'a job',
      );
    },

    classify(model, texts, settings) {
      return unary('Classify', grpcClient.classify, { model: toVersionRef(model), texts }, settings);
    },

    fillMask(model, text, topK = 0, settings) {
      return unary('FillMask', grpcClient.fillMask, { model: toVersionRef(model), text, topK }, settings);
    },

    ...createStudyMethods(connection),

    close() {
      grpcClient.close();
    },
  };
}
