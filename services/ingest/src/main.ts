#!/usr/bin/env node
// Entry point of the ingest process: the only place that reads the environment.
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';

import type { ingestConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  // Telemetry starts before anything loads grpc-js, so the gRPC instrumentation sees it; the other
  // modules are imported dynamically below. A bad exporter value is reported by readConfig.
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-ingest',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });

  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { ingestConfigSpec: spec } = await import('./config.js');
  const { createIngestService } = await import('./create-ingest-service.js');

  let config: ConfigValues<typeof ingestConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }

  const logger = createLogger({ name: 'ingest', level: config.logLevel });
  const ingest = await createIngestService({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    registryAddress: config.registryAddress,
    concurrency: config.maxJobs,
    maxCorpusBytes: config.maxCorpusBytes,
    logger,
  });
  logger.info(
    {
      address: ingest.address,
      dataDir: config.dataDir,
      registry: config.registryAddress,
      maxJobs: config.maxJobs,
    },
    'ingest ready',
  );
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await ingest.shutdown(reason);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
  );
}

main().catch((err: unknown) => {
  console.error('ingest failed to start:', err);
  process.exit(1);
});
