#!/usr/bin/env node
// Entry point of a pretrain worker process: the only place (with main.ts) that reads the environment.
// SIGTERM: the current run stops at its next step, checkpoints that step, goes back on the queue, and the
// process exits 0 (the pod's grace period must cover one step and one checkpoint upload).
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The worker's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'pretrain-worker',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).pretrainWorkerConfigSpec,
  start: async (config, logger) => {
    const { createPretrainWorker } = await import('./worker/create-pretrain-worker.js');
    const worker = await createPretrainWorker({
      logger,
      security: securityOf(config),
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      registryAddress: config.registryAddress,
      dataDir: config.dataDir,
      backend: config.backend,
      threads: config.threads,
      healthPort: config.healthPort,
      progressIntervalMs: config.progressIntervalMs,
      runsBucket: config.runsBucket,
      queue: { subject: config.workSubject, consumer: config.workConsumer, ackWaitMs: config.ackWaitMs },
    });
    logger.info({ workerId: worker.workerId, healthPort: worker.healthPort }, 'pretrain worker started');
    return { shutdown: (reason) => worker.stop(reason) };
  },
});
