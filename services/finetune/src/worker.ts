#!/usr/bin/env node
// Entry point of a finetune worker process: the only place it reads the environment. Serves
// grpc.health.v1 on HEADSTART_HEALTH_PORT for probes.
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';
import type { finetuneWorkerConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-finetune-worker',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });
  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { finetuneWorkerConfigSpec: spec } = await import('./config.js');
  const { createFinetuneWorker } = await import('./create-finetune-worker.js');

  let config: ConfigValues<typeof finetuneWorkerConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }
  const logger = createLogger({ name: 'finetune-worker', level: config.logLevel });
  const worker = await createFinetuneWorker({
    registryAddress: config.registryAddr,
    natsUrl: config.natsUrl,
    dataDir: config.dataDir,
    backend: config.backend,
    concurrency: config.concurrency,
    healthPort: config.healthPort,
    ...(config.workerName ? { name: config.workerName } : {}),
    logger,
  });
  // Kubernetes gives finetune workers 300 s: a job that cannot finish in 240 s goes back to the queue
  // and resumes from its last checkpoint.
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await worker.shutdown(reason, 240_000);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
  );
}

main().catch((err: unknown) => {
  console.error('finetune worker failed to start:', err);
  process.exit(1);
});
