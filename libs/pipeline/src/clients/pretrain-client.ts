// The calls the pipeline makes to the PretrainService.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError, clientCallsFor, followItems } from '@headstart/errors';
import { pretrain } from '@headstart/proto';

import { PIPELINE_DEADLINES, type CallOptions } from './grpc-calls';

const { callServerStream, connect } = clientCallsFor({ name: 'the pretrain service' });

export interface PretrainClient {
  readonly address: string;
  startRun(spec: pretrain.RunSpec, idempotencyKey: string, options?: CallOptions): Promise<pretrain.Run>;
  getRun(runId: string, options?: CallOptions): Promise<pretrain.Run>;
  /** Every run registering under `modelName`, newest first. */
  listRuns(modelName: string, options?: CallOptions): Promise<pretrain.Run[]>;
  /** Follows a run until it is terminal; resolves with its last state. */
  watchRun(
    runId: string,
    onUpdate: (update: pretrain.WatchRunResponse) => void,
    options?: CallOptions,
  ): Promise<pretrain.Run>;
  close(): void;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new HeadstartError(Code.INTERNAL, `the pretrain service answered without ${what}`);
  return value;
}

export function createPretrainClient(address: string): PretrainClient {
  const {
    grpcClient: raw,
    context,
    unary,
  } = connect(pretrain.PretrainServiceClient, { address }, PIPELINE_DEADLINES);
  return {
    address,
    async startRun(spec, idempotencyKey, options) {
      const response = await unary('StartRun', raw.startRun, { spec, idempotencyKey }, options);
      return required(response.run, 'a run');
    },
    async getRun(runId, options) {
      return required((await unary('GetRun', raw.getRun, { runId }, options)).run, 'a run');
    },
    async listRuns(modelName, options) {
      const runs: pretrain.Run[] = [];
      let pageToken = '';
      do {
        const request = pretrain.ListRunsRequest.fromPartial({ modelName, pageToken, pageSize: 1000 });
        const page = await unary('ListRuns', raw.listRuns, request, options);
        runs.push(...page.runs);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return runs;
    },
    async watchRun(runId, onUpdate, options) {
      const last = await callServerStream(
        (callOptions) => raw.watchRun({ runId }, new grpc.Metadata(), callOptions),
        followItems((message: pretrain.WatchRunResponse) => message, onUpdate),
        context('WatchRun', options, true),
        options?.signal,
      );
      return required(last?.run, `a state of run ${runId}`);
    },
    close: () => raw.close(),
  };
}
