import {
  natsStreamReplicasVar,
  observabilityConfigSpec,
  securityConfigSpec,
  type ConfigSpec,
  type ConfigValues,
} from '@headstart/service-kit';

import { DEFAULT_MAX_ARTIFACT_BYTES, DEFAULT_REGISTRY_PORT } from './create-registry-service';

/** The registry's environment variables (read in main.ts only; also rendered into the README table). */
export const registryConfigSpec = {
  host: {
    env: 'HEADSTART_REGISTRY_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the registry listens on.',
  },
  port: {
    env: 'HEADSTART_REGISTRY_PORT',
    type: 'port',
    default: DEFAULT_REGISTRY_PORT,
    description: 'gRPC port of the registry (0 picks a free one).',
  },
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    default: './.headstart/registry',
    description: 'Directory of the registry database (registry.db) and artifacts (blobs/).',
  },
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    default: 'nats://127.0.0.1:4222',
    description: 'NATS server the outbox relay publishes registry events to.',
  },
  natsStreamReplicas: natsStreamReplicasVar,
  maxArtifactBytes: {
    env: 'HEADSTART_MAX_ARTIFACT_BYTES',
    type: 'int',
    min: 1,
    default: DEFAULT_MAX_ARTIFACT_BYTES,
    description: 'Largest artifact CreateVersion accepts, in bytes (RESOURCE_EXHAUSTED beyond).',
  },
  ...securityConfigSpec,
  ...observabilityConfigSpec,
} as const satisfies ConfigSpec;

export type RegistryConfig = ConfigValues<typeof registryConfigSpec>;
