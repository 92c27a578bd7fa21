#!/usr/bin/env node
// Entry point of the finetune API process: the only place that reads the environment.
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The service's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'finetune',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).finetuneConfigSpec,
  start: async (config, logger) => {
    const { createFinetuneService } = await import('./create-finetune-service.js');
    const { finetuneWorkType } = await import('./jobs/work-type.js');
    return createFinetuneService({
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      registryAddress: config.registryAddr,
      pretrainAddress: config.pretrainAddr,
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      backend: config.backend,
      threads: config.threads,
      modelCache: { maxBytes: config.modelCacheBytes, maxEntries: config.modelCacheEntries },
      security: securityOf(config),
      workType: finetuneWorkType(config.ackWaitMs),
      triggerAckWaitMs: config.triggerAckWaitMs,
      logger,
    });
  },
});
