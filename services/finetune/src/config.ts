import { EVENT_CONSUMERS, WORK_TYPES } from '@headstart/events';
import {
  natsStreamReplicasVar,
  observabilityConfigSpec,
  securityConfigSpec,
  threadsVar,
  type ConfigSpec,
  type ConfigValues,
} from '@headstart/service-kit';
import { DEFAULT_FINETUNE_PORT } from './create-finetune-service';
import { DEFAULT_WORKER_HEALTH_PORT } from './create-finetune-worker';

const common = {
  registryAddr: {
    env: 'HEADSTART_REGISTRY_ADDR',
    type: 'address',
    default: '127.0.0.1:50051',
    description:
      'Registry the finetune service and workers read models and datasets from and register results in.',
  },
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    default: 'nats://127.0.0.1:4222',
    description: 'NATS server (JetStream events, the finetune work queue, the job records).',
  },
  natsStreamReplicas: natsStreamReplicasVar,
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    default: './.headstart/finetune',
    description: 'finetune API: directory of finetune.db (triggers, jobs); workers: job checkpoints.',
  },
  backend: {
    env: 'HEADSTART_BACKEND',
    type: 'enum',
    values: ['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    description: 'TF.js backend for training and predictions; gpu: the GPU or fail at start (never the CPU).',
  },
  threads: threadsVar,
  ...securityConfigSpec,
  ackWaitMs: {
    env: 'HEADSTART_FINETUNE_ACK_WAIT_MS',
    type: 'int',
    min: 1_000,
    default: WORK_TYPES.finetune.consumer.ackWaitMs,
    description:
      'A job whose worker stopped heartbeating (e.g. killed) is redelivered after this long (API and workers must agree).',
  },
  ...observabilityConfigSpec,
} as const satisfies ConfigSpec;

/** The finetune API's environment (read in main.ts only). */
export const finetuneConfigSpec = {
  host: {
    env: 'HEADSTART_FINETUNE_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the finetune API listens on.',
  },
  port: {
    env: 'HEADSTART_FINETUNE_PORT',
    type: 'port',
    default: DEFAULT_FINETUNE_PORT,
    description: 'gRPC port of the finetune API (0 picks a free one).',
  },
  modelCacheBytes: {
    env: 'HEADSTART_FINETUNE_MODEL_CACHE_BYTES',
    type: 'int',
    min: 1,
    default: 1024 ** 3,
    description: 'Memory budget of the Classify / FillMask model cache, in bytes of weights.',
  },
  modelCacheEntries: {
    env: 'HEADSTART_FINETUNE_MODEL_CACHE_MODELS',
    type: 'int',
    min: 1,
    default: 8,
    description: 'Models the Classify / FillMask cache keeps at most.',
  },
  triggerAckWaitMs: {
    env: 'HEADSTART_FINETUNE_TRIGGER_ACK_WAIT_MS',
    type: 'int',
    min: 1_000,
    default: EVENT_CONSUMERS['finetune-triggers'].ackWaitMs,
    description:
      'A checkpoint, alias or tag event the API received but did not finish (e.g. killed) is delivered again after this long.',
  },
  pretrainAddr: {
    env: 'HEADSTART_PRETRAIN_ADDR',
    type: 'address',
    required: false,
    description:
      'Pretrain API that adaptation triggers start continued pre-training runs on. Unset: such triggers are refused.',
  },
  ...common,
} as const satisfies ConfigSpec;

/** A finetune worker's environment (read in worker.ts only). */
export const finetuneWorkerConfigSpec = {
  healthPort: {
    env: 'HEADSTART_HEALTH_PORT',
    type: 'port',
    default: DEFAULT_WORKER_HEALTH_PORT,
    description: "Port of the worker's grpc.health.v1 server.",
  },
  concurrency: {
    env: 'HEADSTART_FINETUNE_WORKER_CONCURRENCY',
    type: 'int',
    min: 1,
    max: 64,
    default: 1,
    description: 'Fine-tune jobs one worker trains at once.',
  },
  workerName: {
    env: 'HEADSTART_WORKER_NAME',
    type: 'string',
    required: false,
    description: 'Name shown in job records (default: hostname-pid).',
  },
  ...common,
} as const satisfies ConfigSpec;

export type FinetuneConfig = ConfigValues<typeof finetuneConfigSpec>;
export type FinetuneWorkerConfig = ConfigValues<typeof finetuneWorkerConfigSpec>;
