#!/usr/bin/env node
// Entry point of the ingest process: the only place that reads the environment.
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The service's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'ingest',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).ingestConfigSpec,
  start: async (config, logger) => {
    const { createIngestService } = await import('./create-ingest-service.js');
    const ingest = await createIngestService({
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      registryAddress: config.registryAddress,
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      queue: { ackWaitMs: config.ackWaitMs },
      concurrency: config.maxJobs,
      maxCorpusBytes: config.maxCorpusBytes,
      security: securityOf(config),
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
    return ingest;
  },
});
