// A small promise client of the PretrainService for the CLI: every call has a deadline, every error is a
// HeadstartError, and an unreachable service says where it looked.
import { Code, HeadstartError, clientCallsFor } from '@headstart/errors';
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

const calls = clientCallsFor({
  name: 'the pretrain service',
  addressSource: '--pretrain (or HEADSTART_PRETRAIN_ADDR)',
});

function required(run: pretrain.Run | undefined): pretrain.Run {
  if (run === undefined)
    throw new HeadstartError(Code.INTERNAL, 'the pretrain service answered without a run');
  return run;
}

export function createPretrainClient(options: PretrainClientOptions): PretrainClient {
  // Streams get no deadline (see watchRun); the stream default is never used.
  const {
    grpcClient: raw,
    address,
    context,
    unary,
  } = calls.connect(pretrain.PretrainServiceClient, options, {
    deadlineMs: 30_000,
    streamDeadlineMs: 30_000,
  });
  return {
    address,
    startRun: async (request) => required((await unary('StartRun', raw.startRun, request)).run),
    getRun: async (runId) => required((await unary('GetRun', raw.getRun, { runId })).run),
    listRuns: (request) => unary('ListRuns', raw.listRuns, request),
    cancelRun: async (runId) => required((await unary('CancelRun', raw.cancelRun, { runId })).run),
    async *watchRun(runId, signal) {
      const call = raw.watchRun({ runId });
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort);
      try {
        for await (const message of call as AsyncIterable<pretrain.WatchRunResponse>) yield message;
      } catch (err) {
        throw calls.toClientError(err, context('WatchRun'));
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
