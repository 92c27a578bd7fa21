// The calls the pipeline makes to the FinetuneService.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { finetune, type common } from '@headstart/proto';

import { readStream, unaryCall, type CallOptions } from './grpc-calls';

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
  const raw = new finetune.FinetuneServiceClient(address, grpc.credentials.createInsecure());
  return {
    address,
    async createTrigger(trigger, options) {
      const response = await unaryCall(raw, raw.createTrigger, 'CreateTrigger', { trigger }, options);
      return required(response.trigger, 'a trigger');
    },
    async listTriggers(baseModelName, options) {
      return (await unaryCall(raw, raw.listTriggers, 'ListTriggers', { baseModelName }, options)).triggers;
    },
    async deleteTrigger(triggerId, options) {
      await unaryCall(raw, raw.deleteTrigger, 'DeleteTrigger', { triggerId }, options);
    },
    async listFinetunes(triggerId, options) {
      const jobs: finetune.Finetune[] = [];
      let pageToken = '';
      do {
        const page = await unaryCall(
          raw,
          raw.listFinetunes,
          'ListFinetunes',
          finetune.ListFinetunesRequest.fromPartial({ triggerId, pageToken, pageSize: 1000 }),
          options,
        );
        jobs.push(...page.finetunes);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return jobs;
    },
    async watchFinetune(finetuneId, onUpdate, options) {
      const last = await readStream(
        raw,
        raw.watchFinetune,
        'WatchFinetune',
        { finetuneId },
        (message) => {
          if (message.finetune) onUpdate(message.finetune);
        },
        options,
      );
      return required(last?.finetune, `a state of fine-tune ${finetuneId}`);
    },
    classify(model, texts, options) {
      return unaryCall(raw, raw.classify, 'Classify', { model, texts }, { deadlineMs: 120_000, ...options });
    },
    fillMask(model, text, topK, options) {
      return unaryCall(
        raw,
        raw.fillMask,
        'FillMask',
        { model, text, topK },
        { deadlineMs: 120_000, ...options },
      );
    },
    close: () => raw.close(),
  };
}
