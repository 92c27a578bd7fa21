#!/usr/bin/env node
// The main job: the whole Headstart pipeline on shipped data, with embedded defaults (a local
// nats-server, SQLite and a local artifact folder under HEADSTART_HOME). Reads the environment here only.
import * as path from 'node:path';

import { ConfigError, createLogger, readConfig } from '@headstart/service-kit';

import { pipelineConfigSpec } from './config';
import { runPipeline } from './run-pipeline';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(pipelineConfigSpec, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ name: 'pipeline', level: config.logLevel });
  const report = await runPipeline({ home: path.resolve(config.home), natsUrl: config.natsUrl, logger });
  process.stdout.write(`${report}\n`);
}

main().catch((err: unknown) => {
  console.error('pipeline failed:', err);
  process.exit(1);
});
