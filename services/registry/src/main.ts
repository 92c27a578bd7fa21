#!/usr/bin/env node
// Entry point of the registry process: the only place that reads the environment.
import { runServiceMain, securityOf } from '@headstart/service-kit';

// The service's own modules are imported dynamically, after runServiceMain started telemetry.
void runServiceMain({
  name: 'registry',
  env: process.env,
  loadConfigSpec: async () => (await import('./config.js')).registryConfigSpec,
  start: async (config, logger) => {
    const { createRegistryService } = await import('./create-registry-service.js');
    const registry = await createRegistryService({
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      natsUrl: config.natsUrl,
      natsStreamReplicas: config.natsStreamReplicas,
      maxArtifactBytes: config.maxArtifactBytes,
      security: securityOf(config),
      logger,
    });
    logger.info(
      { address: registry.address, dataDir: config.dataDir, natsUrl: config.natsUrl },
      'registry ready',
    );
    // Telemetry is flushed last, after the server, the relay and the database have stopped.
    return registry;
  },
});
