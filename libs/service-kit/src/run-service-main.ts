import type { TelemetryOptions } from '@headstart/telemetry';

import { ConfigError, readConfig, type ConfigSpec, type ConfigValues } from './config';
import { createLogger, type Logger } from './logger';
import { TELEMETRY_EXPORTERS, type observabilityConfigSpec } from './observability-config';
import { handleSignals } from './signals';

/** What a started process hands back: how to stop it on SIGTERM/SIGINT. */
export interface StoppableProcess {
  /** Stops serving and releases everything; telemetry is flushed after it returns. */
  shutdown(reason?: string): Promise<void>;
}

export interface ServiceMainOptions<S extends ConfigSpec & typeof observabilityConfigSpec> {
  /**
   * Short process name, e.g. `registry` or `pretrain-worker`: the logger's `name`, the telemetry
   * service name (`headstart-<name>`), and, dashes as spaces, the start-failure message.
   */
  name: string;
  /** `process.env`, passed by main.ts: the only place that reads the environment. */
  env: NodeJS.ProcessEnv;
  /**
   * Imports the process's config spec. Called after telemetry started: a service's config module
   * usually imports its service module (for defaults), which loads @headstart/proto, whose grpc-js
   * clients are only traced when built after telemetry started.
   */
  loadConfigSpec: () => Promise<S>;
  /**
   * Starts the process with its validated config (import the service's modules here, dynamically, for
   * the same reason as above). Logs its own "ready" line.
   */
  start: (config: ConfigValues<S>, logger: Logger) => Promise<StoppableProcess>;
  /** Signals that stop the process gracefully. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /** @default process.exit */
  exit?: (code: number) => void;
}

/** Exit code of a process whose environment is invalid (every bad variable is printed first). */
export const EXIT_BAD_CONFIG = 2;
/** Exit code of a process that failed to start, or whose graceful shutdown failed. */
export const EXIT_FAILED = 1;

/**
 * Telemetry settings from the raw environment. Read before the config is validated (telemetry must
 * start first), so a bad exporter value starts no exporter here and readConfig reports it with every
 * other bad variable.
 */
export function telemetryOptionsFromEnv(name: string, env: NodeJS.ProcessEnv): TelemetryOptions {
  const requested = env['HEADSTART_OTEL_EXPORTER'] || 'none';
  return {
    serviceName: `headstart-${name}`,
    exporter: TELEMETRY_EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  };
}

/**
 * The whole life of a service or worker process, for its main.ts: telemetry first, then the config
 * (every bad variable reported at once, exit 2), the JSON logger, `start`, and SIGTERM/SIGINT to a
 * graceful shutdown (exit 0, or 1 if it failed; a second signal exits 1 at once). Telemetry is flushed
 * last, after the process stopped. Any other failure to start prints `<name> failed to start:` and the
 * error, and exits 1.
 *
 * Resolves once the process is started (or has exited); never rejects.
 */
export async function runServiceMain<S extends ConfigSpec & typeof observabilityConfigSpec>(
  options: ServiceMainOptions<S>,
): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  try {
    await startProcess(options, exit);
  } catch (err) {
    console.error(`${options.name.replace(/-/g, ' ')} failed to start:`, err);
    exit(EXIT_FAILED);
  }
}

async function startProcess<S extends ConfigSpec & typeof observabilityConfigSpec>(
  options: ServiceMainOptions<S>,
  exit: (code: number) => void,
): Promise<void> {
  // Loaded here rather than at the top, so that importing the kit (clients, tools) does not load the
  // OpenTelemetry SDK.
  const { startTelemetry } = await import('@headstart/telemetry');
  const telemetry = startTelemetry(telemetryOptionsFromEnv(options.name, options.env));

  const spec = await options.loadConfigSpec();
  let config: ConfigValues<S>;
  try {
    config = readConfig(spec, options.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    exit(EXIT_BAD_CONFIG);
    return;
  }

  const logger = createLogger({ name: options.name, level: config.logLevel });
  const started = await options.start(config, logger);
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await started.shutdown(reason);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
    { exit, ...(options.signals === undefined ? {} : { signals: options.signals }) },
  );
}
