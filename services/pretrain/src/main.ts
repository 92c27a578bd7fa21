#!/usr/bin/env node
// Entry point of the PretrainService API process: the only place (with worker.ts) that reads the environment.
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The service's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'pretrain',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).pretrainConfigSpec,
  start: async (config, logger) => {
    const { createPretrainService } = await import('./create-pretrain-service.js');
    const service = await createPretrainService({
      logger,
      security: securityOf(config),
      host: config.host,
      port: config.port,
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      registryAddress: config.registryAddress,
      runsBucket: config.runsBucket,
      queue: { subject: config.workSubject, consumer: config.workConsumer, ackWaitMs: config.ackWaitMs },
    });
    logger.info({ address: service.address, registry: config.registryAddress }, 'pretrain ready');
    return service;
  },
});
