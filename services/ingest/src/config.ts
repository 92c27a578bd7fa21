import {
  natsStreamReplicasVar,
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
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    default: 'nats://127.0.0.1:4222',
    description: 'NATS: the job records (KV bucket) and the ingest work queue, shared by every replica.',
  },
  natsStreamReplicas: natsStreamReplicasVar,
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    default: './.headstart/ingest',
    description: 'Directory of the scratch space (ingest-scratch/: uploads and jobs in progress here).',
  },
  maxJobs: {
    env: 'HEADSTART_INGEST_MAX_JOBS',
    type: 'int',
    min: 0,
    max: 64,
    default: 1,
    description:
      'Jobs this replica runs at once (its worker); the others wait in the queue for any replica. 0: none.',
  },
  ackWaitMs: {
    env: 'HEADSTART_INGEST_ACK_WAIT_MS',
    type: 'int',
    min: 1_000,
    default: 60_000,
    description: 'A job whose replica stopped heartbeating goes to another after this long (all must agree).',
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
