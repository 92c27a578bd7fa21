import { invalidArgument } from '@headstart/errors';
import { common, type ingest } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { clientStream, serverStream, unary } from '@headstart/service-kit';
import { createCorpusFromDataset } from '../corpus/corpus-from-dataset';
import { uploadCorpus, type UploadLimits } from '../corpus/upload-corpus';
import type { JobApi } from '../jobs/job-api';
import { startTokenize, startTrainTokenizer } from '../jobs/start-jobs';

export interface IngestHandlerDeps {
  registry: RegistryClient;
  jobs: JobApi;
  uploadsDir: string;
  limits: UploadLimits;
}

const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;

function jobId(id: string): string {
  if (id === '') throw invalidArgument('job_id is required', { field: 'job_id' });
  return id;
}

function stateFilter(state: common.JobState): common.JobState | undefined {
  if (state === common.JobState.JOB_STATE_UNSPECIFIED) return undefined;
  if (common.jobStateToJSON(state) === 'UNRECOGNIZED') {
    throw invalidArgument(`state ${state} is not a JobState`, { field: 'state' });
  }
  return state;
}

/** The IngestService implementation; thrown HeadstartErrors become statuses in the kit. */
export function createIngestHandlers(deps: IngestHandlerDeps): ingest.IngestServiceServer {
  const { registry, jobs } = deps;
  return {
    uploadCorpus: clientStream<ingest.UploadCorpusRequest, ingest.UploadCorpusResponse>((requests, ctx) =>
      uploadCorpus(requests, ctx.signal, ctx.logger, deps),
    ),

    createCorpusFromDataset: unary<
      ingest.CreateCorpusFromDatasetRequest,
      ingest.CreateCorpusFromDatasetResponse
    >((request, ctx) => createCorpusFromDataset(request, ctx.signal, ctx.logger, deps)),

    startTrainTokenizer: unary<ingest.StartTrainTokenizerRequest, ingest.StartTrainTokenizerResponse>(
      async (request, ctx) => {
        const job = await startTrainTokenizer(request, registry, jobs);
        ctx.logger.info({ jobId: job.id, tokenizer: request.tokenizerName }, 'tokenizer training queued');
        return { jobId: job.id };
      },
    ),

    startTokenize: unary<ingest.StartTokenizeRequest, ingest.StartTokenizeResponse>(async (request, ctx) => {
      const job = await startTokenize(request, registry, jobs);
      ctx.logger.info({ jobId: job.id, shards: request.shardsName }, 'tokenization queued');
      return { jobId: job.id };
    }),

    getJob: unary<ingest.GetJobRequest, ingest.GetJobResponse>(async (request) => ({
      job: await jobs.get(jobId(request.jobId)),
    })),

    watchJob: serverStream<ingest.WatchJobRequest, ingest.WatchJobResponse>(async (request, ctx) => {
      await jobs.watch(jobId(request.jobId), (job) => ctx.send({ job }), ctx.signal);
    }),

    cancelJob: unary<ingest.CancelJobRequest, ingest.CancelJobResponse>(async (request, ctx) => {
      const job = await jobs.cancel(jobId(request.jobId));
      ctx.logger.info({ jobId: job.id, state: common.jobStateToJSON(job.state) }, 'job cancel requested');
      return { job };
    }),

    listJobs: unary<ingest.ListJobsRequest, ingest.ListJobsResponse>(async (request) => {
      const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
      return jobs.list(stateFilter(request.state), pageSize, request.pageToken);
    }),
  };
}
