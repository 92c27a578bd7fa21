import type { ConfigSpec } from '@headstart/service-kit';

/** The main job's environment (read in main.ts only). Every variable has an embedded default. */
export const pipelineConfigSpec = {
  home: {
    env: 'HEADSTART_HOME',
    type: 'string',
    default: './.headstart',
    description:
      'Root of the local deployment: shipped data, JetStream store, registry database and artifacts, work files.',
  },
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    required: false,
    description: 'Use this NATS server instead of starting a local nats-server.',
  },
  logLevel: {
    env: 'HEADSTART_LOG_LEVEL',
    type: 'enum',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
    description: 'Log level of the JSON logs on stdout.',
  },
} as const satisfies ConfigSpec;
