// A small promise client of the PretrainService for the CLI: every call has a deadline, every error is a
// HeadstartError, and an unreachable service says where it looked.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { pretrain } from '@headstart/proto';

export interface PretrainClientOptions {
  /** host:port of the PretrainService. */
  address: string;
  /** Deadline of unary calls. @default 30_000 */
  deadlineMs?: number;
}

export interface PretrainClient {
  readonly address: string;
  startRun(request: pretrain.StartRunRequest): Promise<pretrain.Run>;
  getRun(runId: string): Promise<pretrain.Run>;
  listRuns(request: pretrain.ListRunsRequest): Promise<pretrain.ListRunsResponse>;
  cancelRun(runId: string): Promise<pretrain.Run>;
  /** WatchRun messages until the run is terminal (no deadline: runs last hours). */
  watchRun(runId: string, signal?: AbortSignal): AsyncIterable<pretrain.WatchRunResponse>;
  close(): void;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

function clientError(err: unknown, address: string): HeadstartError {
  const error = HeadstartError.from(err);
  if (error.code === Code.UNAVAILABLE) {
    return new HeadstartError(
      Code.UNAVAILABLE,
      `the pretrain service at ${address} is unavailable (${error.message}): check that it is running and ` +
        'that --pretrain (or HEADSTART_PRETRAIN_ADDR) is right',
      { cause: err },
    );
  }
  return error;
}

export function createPretrainClient(options: PretrainClientOptions): PretrainClient {
  const { address } = options;
  const deadlineMs = options.deadlineMs ?? 30_000;
  const raw = new pretrain.PretrainServiceClient(address, grpc.credentials.createInsecure());
  const unary = <Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      method.call(raw, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(clientError(err, address)) : resolve(res),
      );
    });
  return {
    address,
    startRun: async (request) =>
      (await unary<pretrain.StartRunRequest, pretrain.StartRunResponse>(raw.startRun, request))
        .run as pretrain.Run,
    getRun: async (runId) =>
      (await unary<pretrain.GetRunRequest, pretrain.GetRunResponse>(raw.getRun, { runId }))
        .run as pretrain.Run,
    listRuns: (request) => unary<pretrain.ListRunsRequest, pretrain.ListRunsResponse>(raw.listRuns, request),
    cancelRun: async (runId) =>
      (await unary<pretrain.CancelRunRequest, pretrain.CancelRunResponse>(raw.cancelRun, { runId }))
        .run as pretrain.Run,
    async *watchRun(runId, signal) {
      const call = raw.watchRun({ runId });
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort);
      try {
        for await (const message of call as AsyncIterable<pretrain.WatchRunResponse>) yield message;
      } catch (err) {
        throw clientError(err, address);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        // Cancelling a call the loop left early emits 'error' (CANCELLED) with nobody listening any more.
        call.on('error', () => undefined);
        call.cancel();
      }
    },
    close: () => raw.close(),
  };
}
