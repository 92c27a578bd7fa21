import type { ConfigSpec, EnumVar, IntVar } from './config';

/** pino's levels, as HEADSTART_LOG_LEVEL accepts them. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Where a service sends traces and metrics (HEADSTART_OTEL_EXPORTER). */
export const TELEMETRY_EXPORTERS = ['none', 'console', 'otlp'] as const;

/** HEADSTART_THREADS: every process that trains or predicts with the CPU backend reads it. */
export const threadsVar = {
  env: 'HEADSTART_THREADS',
  type: 'int',
  min: 0,
  max: 1024,
  default: 0,
  description: 'Compute threads; 0: the cores this process may use (affinity, cgroup CPU quota).',
} as const satisfies IntVar;

/**
 * HEADSTART_NATS_STREAM_REPLICAS: every process that creates JetStream streams or key-value buckets reads it
 * (1 on one server, 3 on a cluster); a stream or bucket that already has more replicas keeps them.
 */
export const natsStreamReplicasVar = {
  env: 'HEADSTART_NATS_STREAM_REPLICAS',
  type: 'int',
  min: 1,
  max: 5,
  default: 1,
  description:
    'Replicas of each JetStream stream and key-value bucket the services create: 1 on one server, 3 on a cluster.',
} as const satisfies IntVar;

/** HEADSTART_LOG_LEVEL: every process that logs reads it, the main job included. */
export const logLevelVar = {
  env: 'HEADSTART_LOG_LEVEL',
  type: 'enum',
  values: LOG_LEVELS,
  default: 'info',
  description: 'Log level of the JSON logs on stdout.',
} as const satisfies EnumVar;

/**
 * The variables every service process reads besides its own: log level and telemetry. Spread it last
 * into a process's spec, so the README table lists them after the process's own variables.
 * `runServiceMain` requires it: the exporter variables are used before the rest of the spec can be
 * loaded, and declaring them here has readConfig validate them with everything else.
 */
export const observabilityConfigSpec = {
  logLevel: logLevelVar,
  otelExporter: {
    env: 'HEADSTART_OTEL_EXPORTER',
    type: 'enum',
    values: TELEMETRY_EXPORTERS,
    default: 'none',
    description: 'Where traces and metrics go: nowhere, stdout, or an OTLP/gRPC collector.',
  },
  otlpEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    type: 'url',
    required: false,
    description: 'OTLP/gRPC collector when HEADSTART_OTEL_EXPORTER=otlp (default http://localhost:4317).',
  },
} as const satisfies ConfigSpec;
