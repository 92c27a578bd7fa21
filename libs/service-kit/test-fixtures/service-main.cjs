// Run by src/run-service-main.test.ts in a plain node process, so exit codes and signals are real.
// A tiny gRPC service (health only) started through runServiceMain from the built kit.
// FIXTURE_FAIL_START makes start throw; FIXTURE_FAIL_SHUTDOWN makes shutdown reject.
'use strict';
const path = require('node:path');

const kit = require(path.join(__dirname, '..', 'dist', 'index.js'));

void kit.runServiceMain({
  name: 'fixture-worker',
  env: process.env,
  loadConfigSpec: async () => {
    // Telemetry must already run here: a second start is refused and names the first one.
    let telemetryStarted = 'no';
    try {
      require('@headstart/telemetry').startTelemetry({ serviceName: 'probe', exporter: 'none' });
    } catch (err) {
      telemetryStarted = err.message;
    }
    process.stdout.write(`${JSON.stringify({ telemetryStarted })}\n`);
    return {
      port: { env: 'FIXTURE_PORT', type: 'port', default: 0, description: 'Port of the fixture.' },
      ...kit.observabilityConfigSpec,
    };
  },
  start: async (config, logger) => {
    if (process.env.FIXTURE_FAIL_START) throw new Error('cannot open the fixture database');
    const service = await kit.createService({
      name: 'fixture',
      host: '127.0.0.1',
      port: config.port,
      services: [],
      logger,
    });
    logger.info({ address: service.address }, 'fixture ready');
    return {
      shutdown: async (reason) => {
        await service.shutdown(reason);
        logger.info({ reason }, 'fixture shutdown ran');
        if (process.env.FIXTURE_FAIL_SHUTDOWN) throw new Error('could not flush the fixture state');
      },
    };
  },
});
