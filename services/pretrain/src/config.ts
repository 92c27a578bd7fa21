// The environment of the API process (main.ts) and of the worker process (worker.ts); read there only.
import {
  natsStreamReplicasVar,
  observabilityConfigSpec,
  securityConfigSpec,
  threadsVar,
  type ConfigSpec,
  type ConfigValues,
} from '@headstart/service-kit';
import { DEFAULT_PRETRAIN_PORT } from './create-pretrain-service';
import { DEFAULT_HEALTH_PORT } from './worker/create-pretrain-worker';

const shared = {
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    default: 'nats://127.0.0.1:4222',
    description: 'NATS: the work queue, the run records (KV bucket) and live progress.',
  },
  natsStreamReplicas: natsStreamReplicasVar,
  registryAddress: {
    env: 'HEADSTART_REGISTRY_ADDR',
    type: 'address',
    default: '127.0.0.1:50051',
    description: 'Registry (host:port): shards are read from it, checkpoints registered in it.',
  },
  runsBucket: {
    env: 'HEADSTART_PRETRAIN_RUNS_BUCKET',
    type: 'string',
    pattern: /^[A-Za-z0-9_-]+$/,
    default: 'HEADSTART_PRETRAIN_RUNS',
    description: 'JetStream key-value bucket of the run records (API and workers must agree).',
  },
  workSubject: {
    env: 'HEADSTART_PRETRAIN_WORK_SUBJECT',
    type: 'string',
    pattern: /^headstart\.work\.[A-Za-z0-9_.-]+$/,
    default: 'headstart.work.pretrain',
    description: 'Work-queue subject (API and workers must agree; a separate queue needs its own consumer).',
  },
  workConsumer: {
    env: 'HEADSTART_PRETRAIN_CONSUMER',
    type: 'string',
    pattern: /^[A-Za-z0-9_-]+$/,
    default: 'pretrain-workers',
    description: 'Durable consumer the workers pull from.',
  },
  ackWaitMs: {
    env: 'HEADSTART_PRETRAIN_ACK_WAIT_MS',
    type: 'int',
    min: 1_000,
    default: 60_000,
    description: 'A run whose worker stopped heartbeating is redelivered after this long.',
  },
  ...securityConfigSpec,
  ...observabilityConfigSpec,
} as const satisfies ConfigSpec;

export const pretrainConfigSpec = {
  host: {
    env: 'HEADSTART_PRETRAIN_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the PretrainService listens on.',
  },
  port: {
    env: 'HEADSTART_PRETRAIN_PORT',
    type: 'port',
    default: DEFAULT_PRETRAIN_PORT,
    description: 'gRPC port of the PretrainService (0 picks a free one).',
  },
  ...shared,
} as const satisfies ConfigSpec;

export const pretrainWorkerConfigSpec = {
  healthPort: {
    env: 'HEADSTART_HEALTH_PORT',
    type: 'port',
    default: DEFAULT_HEALTH_PORT,
    description: 'grpc.health.v1 port of the worker (its probes).',
  },
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    default: './.headstart/data',
    description: 'Shards cache and local checkpoints (<dir>/pretrain/...).',
  },
  progressIntervalMs: {
    env: 'HEADSTART_PRETRAIN_PROGRESS_MS',
    type: 'int',
    min: 0,
    default: 1_000,
    description:
      'Minimum time between progress messages of a run (evaluations and checkpoints always report).',
  },
  backend: {
    env: 'HEADSTART_BACKEND',
    type: 'enum',
    values: ['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    description:
      'TF.js backend for runs that do not ask for one; gpu: the GPU or fail at start (never the CPU).',
  },
  threads: threadsVar,
  ...shared,
} as const satisfies ConfigSpec;

export type PretrainConfig = ConfigValues<typeof pretrainConfigSpec>;
export type PretrainWorkerConfig = ConfigValues<typeof pretrainWorkerConfigSpec>;
