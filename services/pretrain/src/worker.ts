#!/usr/bin/env node
// Entry point of a pretrain worker process: the only place (with main.ts) that reads the environment.
// SIGTERM: the current run stops at its next step, checkpoints that step, goes back on the queue, and the
// process exits 0 (the pod's grace period must cover one step and one checkpoint upload).
import type { ConfigValues } from '@headstart/service-kit';
import type { TelemetryExporter } from '@headstart/telemetry';
import { startTelemetry } from '@headstart/telemetry';
import type { pretrainWorkerConfigSpec } from './config';

const EXPORTERS: readonly TelemetryExporter[] = ['none', 'console', 'otlp'];

async function main(): Promise<void> {
  const requested = process.env['HEADSTART_OTEL_EXPORTER'] || 'none';
  const telemetry = startTelemetry({
    serviceName: 'headstart-pretrain-worker',
    exporter: EXPORTERS.find((e) => e === requested) ?? 'none',
    otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined,
  });
  const { ConfigError, createLogger, handleSignals, readConfig } = await import('@headstart/service-kit');
  const { pretrainWorkerConfigSpec: spec } = await import('./config.js');
  const { createPretrainWorker } = await import('./worker/create-pretrain-worker.js');

  let config: ConfigValues<typeof pretrainWorkerConfigSpec>;
  try {
    config = readConfig(spec, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    await telemetry.shutdown();
    process.exit(2);
  }
  const logger = createLogger({ name: 'pretrain-worker', level: config.logLevel });
  const worker = await createPretrainWorker({
    logger,
    natsUrl: config.natsUrl,
    registryAddress: config.registryAddress,
    dataDir: config.dataDir,
    backend: config.backend,
    healthPort: config.healthPort,
    progressIntervalMs: config.progressIntervalMs,
    runsBucket: config.runsBucket,
    queue: { subject: config.workSubject, consumer: config.workConsumer, ackWaitMs: config.ackWaitMs },
  });
  logger.info({ workerId: worker.workerId, healthPort: worker.healthPort }, 'pretrain worker started');
  handleSignals(
    {
      shutdown: async (reason?: string) => {
        try {
          await worker.stop(reason);
        } finally {
          await telemetry.shutdown();
        }
      },
    },
    logger,
  );
}

main().catch((err: unknown) => {
  console.error('pretrain worker failed to start:', err);
  process.exit(1);
});
