// @headstart/ingest-client: a typed promise client of the ingest service.
export {
  DEFAULT_CORPUS_FROM_DATASET_DEADLINE_MS,
  DEFAULT_INGEST_DEADLINE_MS,
  DEFAULT_INGEST_STREAM_DEADLINE_MS,
  createIngestClient,
  isTerminalJob,
} from './client';
export type { IngestClient, IngestClientOptions, ListJobsInput } from './client';
export type { CallSettings } from './call';
export { DEFAULT_UPLOAD_CHUNK_BYTES } from './upload-corpus';
export type { CorpusSource, CorpusUploadOptions } from './upload-corpus';
export {
  JOB_STATES,
  formatJobState,
  parseJobState,
  toCorpusMetadata,
  toCreateCorpusFromDatasetRequest,
  toTokenizeRequest,
  toTrainTokenizerRequest,
} from './inputs';
export type {
  CompressionInput,
  CorpusFormatInput,
  CorpusFromDatasetInput,
  CorpusUploadInput,
  JobStateInput,
  TokenizeInput,
  TokenizerTypeInput,
  TrainTokenizerInput,
  UnicodeNormalizationInput,
} from './inputs';
