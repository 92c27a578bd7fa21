// The calls the pipeline makes to the FinetuneService.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError, clientCallsFor, followItems } from '@headstart/errors';
import { finetune, type common } from '@headstart/proto';

import { PIPELINE_DEADLINES, type CallOptions } from './grpc-calls';

const { callServerStream, connect } = clientCallsFor({ name: 'the finetune service' });

/** Classify and FillMask may load a model first. */
const PREDICT_DEADLINE_MS = 120_000;

export interface FinetuneClient {
  readonly address: string;
  createTrigger(trigger: finetune.Trigger, options?: CallOptions): Promise<finetune.Trigger>;
  listTriggers(baseModelName: string, options?: CallOptions): Promise<finetune.Trigger[]>;
  deleteTrigger(triggerId: string, options?: CallOptions): Promise<void>;
  /** Every job a trigger created, newest first. */
  listFinetunes(triggerId: string, options?: CallOptions): Promise<finetune.Finetune[]>;
  /** Follows a job until it is terminal; resolves with its last state. */
  watchFinetune(
    finetuneId: string,
    onUpdate: (job: finetune.Finetune) => void,
    options?: CallOptions,
  ): Promise<finetune.Finetune>;
  classify(
    model: common.VersionRef,
    texts: string[],
    options?: CallOptions,
  ): Promise<finetune.ClassifyResponse>;
  fillMask(
    model: common.VersionRef,
    text: string,
    topK: number,
    options?: CallOptions,
  ): Promise<finetune.FillMaskResponse>;
  close(): void;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new HeadstartError(Code.INTERNAL, `the finetune service answered without ${what}`);
  return value;
}

export function createFinetuneClient(address: string): FinetuneClient {
  const {
    grpcClient: raw,
    context,
    unary,
  } = connect(finetune.FinetuneServiceClient, { address }, PIPELINE_DEADLINES);
  return {
    address,
    async createTrigger(trigger, options) {
      const response = await unary('CreateTrigger', raw.createTrigger, { trigger }, options);
      return required(response.trigger, 'a trigger');
    },
    async listTriggers(baseModelName, options) {
      return (await unary('ListTriggers', raw.listTriggers, { baseModelName }, options)).triggers;
    },
    async deleteTrigger(triggerId, options) {
      await unary('DeleteTrigger', raw.deleteTrigger, { triggerId }, options);
    },
    async listFinetunes(triggerId, options) {
      const jobs: finetune.Finetune[] = [];
      let pageToken = '';
      do {
        const request = finetune.ListFinetunesRequest.fromPartial({ triggerId, pageToken, pageSize: 1000 });
        const page = await unary('ListFinetunes', raw.listFinetunes, request, options);
        jobs.push(...page.finetunes);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return jobs;
    },
    async watchFinetune(finetuneId, onUpdate, options) {
      const last = await callServerStream(
        (callOptions) => raw.watchFinetune({ finetuneId }, new grpc.Metadata(), callOptions),
        followItems((message: finetune.WatchFinetuneResponse) => message.finetune, onUpdate),
        context('WatchFinetune', options, true),
        options?.signal,
      );
      return required(last, `a state of fine-tune ${finetuneId}`);
    },
    classify(model, texts, options) {
      return unary(
        'Classify',
        raw.classify,
        { model, texts },
        { deadlineMs: PREDICT_DEADLINE_MS, ...options },
      );
    },
    fillMask(model, text, topK, options) {
      return unary(
        'FillMask',
        raw.fillMask,
        { model, text, topK },
        { deadlineMs: PREDICT_DEADLINE_MS, ...options },
      );
    },
    close: () => raw.close(),
  };
}
