#!/usr/bin/env node
// Entry point of the PretrainService API process: the only place (with worker.ts) that reads the environment.
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';
import type { pretrainConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  // Telemetry first, so the gRPC instrumentation sees grpc-js load (hence the dynamic imports below).
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-pretrain',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });
  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { pretrainConfigSpec: spec } = await import('./config.js');
  const { createPretrainService } = await import('./service/create-pretrain-service.js');

  let config: ConfigValues<typeof pretrainConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }
  const logger = createLogger({ name: 'pretrain', level: config.logLevel });
  const service = await createPretrainService({
    logger,
    host: config.host,
    port: config.port,
    natsUrl: config.natsUrl,
    registryAddress: config.registryAddress,
    runsBucket: config.runsBucket,
    queue: { subject: config.workSubject, consumer: config.workConsumer, ackWaitMs: config.ackWaitMs },
  });
  logger.info({ address: service.address, registry: config.registryAddress }, 'pretrain ready');
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
  console.error('pretrain failed to start:', err);
  process.exit(1);
});
