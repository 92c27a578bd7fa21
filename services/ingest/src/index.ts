// Public surface of @headstart/ingest: start the service in-process, or use its parts directly.
export {
  DEFAULT_INGEST_PORT,
  DEFAULT_LINE_LIMIT_BYTES,
  DEFAULT_MAX_CORPUS_BYTES,
  createIngestService,
} from './create-ingest-service';
export type { IngestServiceHandle, IngestServiceOptions } from './create-ingest-service';
export { ingestConfigSpec } from './config';
export type { IngestConfig } from './config';
export { CORPUS_FILE_FORMAT, readCorpus } from './corpus/corpus-file';
export type { CorpusDocument, ReadCorpusOptions } from './corpus/corpus-file';
export {
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_TEXT_FIELD,
  DEFAULT_VALIDATION_FRACTION,
} from './corpus/upload-settings';
export { SHARDS_FILE_FORMAT } from './jobs/tokenize';
export { TOKENIZER_FILE_FORMAT } from './jobs/train-tokenizer';
export { DEFAULT_MIN_FREQUENCY, MAX_VOCAB_SIZE } from './jobs/train-settings';
export type { JobContext, JobRunner, ProgressUpdate } from './jobs/job-runner';
