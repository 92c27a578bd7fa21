import {
  observabilityConfigSpec,
  securityConfigSpec,
  type ConfigSpec,
  type ConfigValues,
} from '@headstart/service-kit';
import { DEFAULT_INGEST_PORT, DEFAULT_MAX_CORPUS_BYTES } from './create-ingest-service';

/** The ingest service's environment variables (read in main.ts only). */
export const ingestConfigSpec = {
  host: {
    env: 'HEADSTART_INGEST_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the ingest service listens on.',
  },
  port: {
    env: 'HEADSTART_INGEST_PORT',
    type: 'port',
    default: DEFAULT_INGEST_PORT,
    description: 'gRPC port of the ingest service (0 picks a free one).',
  },
  registryAddress: {
    env: 'HEADSTART_REGISTRY_ADDR',
    type: 'address',
    default: '127.0.0.1:50051',
    description: 'Registry that corpora, tokenizers and shards are read from and registered in.',
  },
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    default: './.headstart/ingest',
    description: 'Directory of the job database (ingest-jobs.db) and scratch space (ingest-scratch/).',
  },
  maxJobs: {
    env: 'HEADSTART_INGEST_MAX_JOBS',
    type: 'int',
    min: 1,
    max: 64,
    default: 1,
    description: 'Tokenizer-training and tokenize jobs running at once; the others wait in order.',
  },
  maxCorpusBytes: {
    env: 'HEADSTART_INGEST_MAX_CORPUS_BYTES',
    type: 'int',
    min: 1,
    default: DEFAULT_MAX_CORPUS_BYTES,
    description: 'Largest corpus UploadCorpus accepts, decompressed, in bytes (RESOURCE_EXHAUSTED beyond).',
  },
  ...securityConfigSpec,
  ...observabilityConfigSpec,
} as const satisfies ConfigSpec;

export type IngestConfig = ConfigValues<typeof ingestConfigSpec>;
