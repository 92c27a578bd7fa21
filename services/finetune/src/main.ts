#!/usr/bin/env node
// Entry point of the finetune API process: the only place that reads the environment.
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';
import type { finetuneConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  // Telemetry starts before anything loads grpc-js, so its instrumentation sees it.
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-finetune',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });
  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { finetuneConfigSpec: spec } = await import('./config.js');
  const { createFinetuneService } = await import('./create-finetune-service.js');

  let config: ConfigValues<typeof finetuneConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }
  const logger = createLogger({ name: 'finetune', level: config.logLevel });
  const service = await createFinetuneService({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    registryAddress: config.registryAddr,
    natsUrl: config.natsUrl,
    backend: config.backend,
    modelCache: { maxBytes: config.modelCacheBytes, maxEntries: config.modelCacheEntries },
    logger,
  });
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await service.shutdown(reason);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
  );
}

main().catch((err: unknown) => {
  console.error('finetune failed to start:', err);
  process.exit(1);
});
