import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { followItems, type ClientConnectionOptions } from '@headstart/client-kit';
import { common, ingest } from '@headstart/proto';
import { callServerStream, connect, type CallSettings } from './call';
import {
  parseJobState,
  toCreateCorpusFromDatasetRequest,
  toTokenizeRequest,
  toTrainTokenizerRequest,
  type CorpusFromDatasetInput,
  type JobStateInput,
  type TokenizeInput,
  type TrainTokenizerInput,
} from './inputs';
import { uploadCorpus, type CorpusSource, type CorpusUploadOptions } from './upload-corpus';
import type { CorpusUploadInput } from './inputs';

/** How to reach the ingest service: unary calls get 30 s by default, uploads and job watches 24 hours. */
export type IngestClientOptions = ClientConnectionOptions;

export const DEFAULT_INGEST_DEADLINE_MS = 30_000;
export const DEFAULT_INGEST_STREAM_DEADLINE_MS = 24 * 3_600_000;
/** CreateCorpusFromDataset downloads, reads and registers a whole dataset in one call. */
export const DEFAULT_CORPUS_FROM_DATASET_DEADLINE_MS = 30 * 60_000;

export interface ListJobsInput {
  state?: JobStateInput;
  pageSize?: number;
  pageToken?: string;
}

/** A promise-based ingest client. Every call has a deadline; every error is a HeadstartError. */
export interface IngestClient {
  readonly address: string;
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Uploads a corpus; resolves once it is registered as a DATASET version. */
  uploadCorpus(
    input: CorpusUploadInput,
    source: CorpusSource,
    options?: CorpusUploadOptions,
  ): Promise<ingest.UploadCorpusResponse>;
  /**
   * Builds a corpus from a labelled dataset's texts (its `train` split unless `splits` says otherwise;
   * dev/test need `allowEvalSplits`) and resolves once it is registered as a DATASET version, derived_from
   * the dataset. The same inputs resolve to the same version (`deduplicated`). Deadline: 30 minutes.
   */
  createCorpusFromDataset(
    input: CorpusFromDatasetInput,
    settings?: CallSettings,
  ): Promise<ingest.CreateCorpusFromDatasetResponse>;
  /** Queues tokenizer training; resolves with the job id. */
  startTrainTokenizer(input: TrainTokenizerInput, settings?: CallSettings): Promise<string>;
  /** Queues tokenization into shards; resolves with the job id. */
  startTokenize(input: TokenizeInput, settings?: CallSettings): Promise<string>;
  getJob(jobId: string, settings?: CallSettings): Promise<ingest.Job>;
  listJobs(input?: ListJobsInput, settings?: CallSettings): Promise<ingest.ListJobsResponse>;
  /** Follows a job until it is terminal, calling `onUpdate` with every state; resolves with the last. */
  watchJob(jobId: string, onUpdate?: (job: ingest.Job) => void, settings?: CallSettings): Promise<ingest.Job>;
  /** Cancels a job; resolves with its state afterwards (CANCELLED, or terminal already). */
  cancelJob(jobId: string, settings?: CallSettings): Promise<ingest.Job>;
  close(): void;
}

const TERMINAL = new Set([
  common.JobState.JOB_STATE_SUCCEEDED,
  common.JobState.JOB_STATE_FAILED,
  common.JobState.JOB_STATE_CANCELLED,
]);

export function isTerminalJob(job: ingest.Job): boolean {
  return TERMINAL.has(job.state);
}

export function createIngestClient(options: IngestClientOptions): IngestClient {
  const { grpcClient, address, context, unary, waitForReady } = connect(ingest.IngestServiceClient, options, {
    deadlineMs: DEFAULT_INGEST_DEADLINE_MS,
    streamDeadlineMs: DEFAULT_INGEST_STREAM_DEADLINE_MS,
  });
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new HeadstartError(Code.INTERNAL, `ingest service answered without ${what}`);
    return value;
  };

  return {
    address,

    waitForReady,

    uploadCorpus(input, source, uploadOptions = {}) {
      return uploadCorpus(
        grpcClient,
        context('UploadCorpus', uploadOptions, true),
        input,
        source,
        uploadOptions,
      );
    },

    async createCorpusFromDataset(input, settings) {
      const request = toCreateCorpusFromDatasetRequest(input);
      return unary('CreateCorpusFromDataset', grpcClient.createCorpusFromDataset, request, {
        ...settings,
        deadlineMs: settings?.deadlineMs ?? DEFAULT_CORPUS_FROM_DATASET_DEADLINE_MS,
      });
    },

    async startTrainTokenizer(input, settings) {
      const request = toTrainTokenizerRequest(input);
      return (await unary('StartTrainTokenizer', grpcClient.startTrainTokenizer, request, settings)).jobId;
    },

    async startTokenize(input, settings) {
      const request = toTokenizeRequest(input);
      return (await unary('StartTokenize', grpcClient.startTokenize, request, settings)).jobId;
    },

    async getJob(jobId, settings) {
      return required((await unary('GetJob', grpcClient.getJob, { jobId }, settings)).job, 'a job');
    },

    listJobs(input = {}, settings) {
      const request: ingest.ListJobsRequest = {
        state: input.state === undefined ? common.JobState.JOB_STATE_UNSPECIFIED : parseJobState(input.state),
        pageSize: input.pageSize ?? 0,
        pageToken: input.pageToken ?? '',
      };
      return unary('ListJobs', grpcClient.listJobs, request, settings);
    },

    async watchJob(jobId, onUpdate, settings) {
      const last = await callServerStream(
        (callOptions) => grpcClient.watchJob({ jobId }, new grpc.Metadata(), callOptions),
        followItems((message) => message.job, onUpdate),
        context('WatchJob', settings, true),
        settings?.signal,
      );
      const job = required(last, 'a job');
      if (!isTerminalJob(job)) {
        throw new HeadstartError(
          Code.UNAVAILABLE,
          `the ingest service at ${address} stopped streaming job ${jobId} before it finished (it was ` +
            `${common.jobStateToJSON(job.state)}); watch it again once the service is back`,
        );
      }
      return job;
    },

    async cancelJob(jobId, settings) {
      return required((await unary('CancelJob', grpcClient.cancelJob, { jobId }, settings)).job, 'a job');
    },

    close() {
      grpcClient.close();
    },
  };
}
