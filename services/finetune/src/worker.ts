#!/usr/bin/env node
// Entry point of a finetune worker process: the only place it reads the environment. Serves
// grpc.health.v1 on HEADSTART_HEALTH_PORT for probes.
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The worker's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'finetune-worker',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).finetuneWorkerConfigSpec,
  start: async (config, logger) => {
    const { createFinetuneWorker } = await import('./create-finetune-worker.js');
    const { finetuneWorkType } = await import('./jobs/work-type.js');
    const worker = await createFinetuneWorker({
      registryAddress: config.registryAddr,
      security: securityOf(config),
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      dataDir: config.dataDir,
      backend: config.backend,
      threads: config.threads,
      concurrency: config.concurrency,
      healthPort: config.healthPort,
      workType: finetuneWorkType(config.ackWaitMs),
      ...(config.workerName ? { name: config.workerName } : {}),
      logger,
    });
    // Kubernetes gives finetune workers 300 s: a job that cannot finish in 240 s goes back to the queue
    // and resumes from its last checkpoint.
    return { shutdown: (reason) => worker.shutdown(reason, 240_000) };
  },
});
