import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import {
  clientCallsFor,
  followItems,
  type CallSettings,
  type ClientConnectionOptions,
} from '@headstart/client-kit';
import { common, pretrain } from '@headstart/proto';

/** How to reach the pretrain service: unary calls get 30 s by default, run watches 7 days. */
export interface PretrainClientOptions extends ClientConnectionOptions {
  /**
   * Where the caller set the address, named when the service cannot be reached, e.g.
   * `--pretrain (or HEADSTART_PRETRAIN_ADDR)`. @default 'the address'
   */
  addressSource?: string;
}

export const DEFAULT_PRETRAIN_DEADLINE_MS = 30_000;
/** A watch follows a run to its end, and runs last hours to days. */
export const DEFAULT_PRETRAIN_STREAM_DEADLINE_MS = 7 * 24 * 3_600_000;

export type StartRunSettings = CallSettings & {
  /** Starting again with the same key answers the run the first call started. */
  idempotencyKey?: string;
};

export interface ListRunsInput {
  state?: common.JobState;
  modelName?: string;
  pageSize?: number;
  pageToken?: string;
}

/** A promise-based pretrain client. Every call has a deadline; every error is a HeadstartError. */
export interface PretrainClient {
  readonly address: string;
  waitForReady(timeoutMs?: number): Promise<void>;
  startRun(spec: pretrain.RunSpec, settings?: StartRunSettings): Promise<pretrain.Run>;
  getRun(runId: string, settings?: CallSettings): Promise<pretrain.Run>;
  /** One page of runs, newest first. */
  listRuns(input?: ListRunsInput, settings?: CallSettings): Promise<pretrain.ListRunsResponse>;
  /** Every page: all runs matching `input`, newest first. */
  listAllRuns(input?: Omit<ListRunsInput, 'pageToken'>, settings?: CallSettings): Promise<pretrain.Run[]>;
  /** Asks a run to stop; resolves with its state afterwards (a running run stops at its next step). */
  cancelRun(runId: string, settings?: CallSettings): Promise<pretrain.Run>;
  /**
   * Follows a run until it is terminal, calling `onUpdate` with every message (state changes and
   * progress: step, loss, learning rate, training seconds, fraction done); resolves with its last state.
   */
  watchRun(
    runId: string,
    onUpdate?: (message: pretrain.WatchRunResponse) => void,
    settings?: CallSettings,
  ): Promise<pretrain.Run>;
  close(): void;
}

const TERMINAL = new Set([
  common.JobState.JOB_STATE_SUCCEEDED,
  common.JobState.JOB_STATE_FAILED,
  common.JobState.JOB_STATE_CANCELLED,
]);

export function isTerminalRun(run: pretrain.Run): boolean {
  return TERMINAL.has(run.state);
}

/** A response field proto3 lets be absent but the service always sets: its absence is the service's bug. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new HeadstartError(Code.INTERNAL, `the pretrain service answered without ${what}`);
  return value;
}

export function createPretrainClient(options: PretrainClientOptions): PretrainClient {
  const { addressSource, ...connection } = options;
  const calls = clientCallsFor({
    name: 'the pretrain service',
    ...(addressSource !== undefined ? { addressSource } : {}),
  });
  const { grpcClient, address, context, unary, waitForReady } = calls.connect(
    pretrain.PretrainServiceClient,
    connection,
    { deadlineMs: DEFAULT_PRETRAIN_DEADLINE_MS, streamDeadlineMs: DEFAULT_PRETRAIN_STREAM_DEADLINE_MS },
  );
  const listRuns = (input: ListRunsInput = {}, settings?: CallSettings) =>
    unary('ListRuns', grpcClient.listRuns, pretrain.ListRunsRequest.fromPartial(input), settings);

  return {
    address,

    waitForReady,

    async startRun(spec, settings) {
      const request = { spec, idempotencyKey: settings?.idempotencyKey ?? '' };
      return required((await unary('StartRun', grpcClient.startRun, request, settings)).run, 'a run');
    },

    async getRun(runId, settings) {
      return required((await unary('GetRun', grpcClient.getRun, { runId }, settings)).run, 'a run');
    },

    listRuns,

    async listAllRuns(input = {}, settings) {
      const runs: pretrain.Run[] = [];
      let pageToken = '';
      do {
        const page = await listRuns({ pageSize: 1000, ...input, pageToken }, settings);
        runs.push(...page.runs);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return runs;
    },

    async cancelRun(runId, settings) {
      return required((await unary('CancelRun', grpcClient.cancelRun, { runId }, settings)).run, 'a run');
    },

    async watchRun(runId, onUpdate, settings) {
      let last: pretrain.Run | undefined;
      await calls.callServerStream(
        (callOptions) => grpcClient.watchRun({ runId }, new grpc.Metadata(), callOptions),
        followItems((message: pretrain.WatchRunResponse) => {
          if (message.run) last = message.run;
          return message;
        }, onUpdate),
        context('WatchRun', settings, true),
        settings?.signal,
      );
      const run = required(last, `a state of run ${runId}`);
      if (!isTerminalRun(run)) {
        throw new HeadstartError(
          Code.UNAVAILABLE,
          `the pretrain service at ${address} stopped streaming run ${runId} before it finished (it was ` +
            `${common.jobStateToJSON(run.state)}); watch it again once the service is back`,
        );
      }
      return run;
    },

    close() {
      grpcClient.close();
    },
  };
}
