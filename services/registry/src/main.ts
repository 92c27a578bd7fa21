#!/usr/bin/env node
// Entry point of the registry process: the only place that reads the environment.
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';

import type { registryConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  // Telemetry starts before anything loads grpc-js, so the gRPC instrumentation sees it; the other
  // modules are therefore imported dynamically below. A bad exporter value starts no exporter here
  // and is reported by readConfig together with every other bad variable.
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-registry',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });

  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { registryConfigSpec: spec } = await import('./config.js');
  const { createRegistryService } = await import('./create-registry-service.js');

  let config: ConfigValues<typeof registryConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }

  const logger = createLogger({ name: 'registry', level: config.logLevel });
  const registry = await createRegistryService({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    natsUrl: config.natsUrl,
    natsStreamReplicas: config.natsStreamReplicas,
    maxArtifactBytes: config.maxArtifactBytes,
    logger,
  });
  logger.info(
    { address: registry.address, dataDir: config.dataDir, natsUrl: config.natsUrl },
    'registry ready',
  );
  // Telemetry is flushed last, after the server, the relay and the database have stopped.
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await registry.shutdown(reason);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
  );
}

main().catch((err: unknown) => {
  console.error('registry failed to start:', err);
  process.exit(1);
});
