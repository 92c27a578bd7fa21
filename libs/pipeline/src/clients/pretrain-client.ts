// The calls the pipeline makes to the PretrainService.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { pretrain } from '@headstart/proto';

import { readStream, unaryCall, type CallOptions } from './grpc-calls';

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
  const raw = new pretrain.PretrainServiceClient(address, grpc.credentials.createInsecure());
  return {
    address,
    async startRun(spec, idempotencyKey, options) {
      const response = await unaryCall(raw, raw.startRun, 'StartRun', { spec, idempotencyKey }, options);
      return required(response.run, 'a run');
    },
    async getRun(runId, options) {
      return required((await unaryCall(raw, raw.getRun, 'GetRun', { runId }, options)).run, 'a run');
    },
    async listRuns(modelName, options) {
      const runs: pretrain.Run[] = [];
      let pageToken = '';
      do {
        const page = await unaryCall(
          raw,
          raw.listRuns,
          'ListRuns',
          pretrain.ListRunsRequest.fromPartial({ modelName, pageToken, pageSize: 1000 }),
          options,
        );
        runs.push(...page.runs);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return runs;
    },
    async watchRun(runId, onUpdate, options) {
      const last = await readStream(raw, raw.watchRun, 'WatchRun', { runId }, onUpdate, options);
      return required(last?.run, `a state of run ${runId}`);
    },
    close: () => raw.close(),
  };
}
