#!/usr/bin/env node
// The main job: the whole Headstart pipeline on shipped data, with embedded defaults (a local
// nats-server, SQLite and a local artifact folder under HEADSTART_HOME). Reads the environment here only;
// main-job.ts does the rest (where logs go, what the console shows, --keep-up).
import { ConfigError, readConfig } from '@headstart/service-kit';

import { pipelineConfigSpec } from './config';
import { runMainJob, UsageError } from './main-job';
import { DEMO_SCALE, type PipelineScale } from './scale';

// First SIGINT/SIGTERM: stop gracefully (a pre-training run checkpoints and resumes on the next run).
const controller = new AbortController();

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
  const scale: PipelineScale = {
    ...DEMO_SCALE,
    pretrain: {
      ...DEMO_SCALE.pretrain,
      budget:
        config.pretrainTokens !== undefined
          ? { kind: 'tokens', tokens: config.pretrainTokens }
          : { kind: 'minutes', minutes: config.pretrainMinutes },
    },
    finetune: { ...DEMO_SCALE.finetune, labelBudget: config.labelBudget },
    studies: DEMO_SCALE.studies.map((s) =>
      s.task === 'dictionary-domains' ? { ...s, seeds: config.studySeeds } : s,
    ),
  };
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await runMainJob({
    argv: process.argv.slice(2),
    config,
    stdout: process.stdout,
    scale,
    signal: controller.signal,
  });
  // Exit once the report is out: the stack is stopped, and a handle a part left open must not keep the
  // job from returning.
  process.stdout.write('', () => process.exit(0));
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message);
    process.exit(2);
  }
  if (controller.signal.aborted) {
    console.error(
      'pipeline stopped; run it again to continue (a pre-training run resumes from its last checkpoint)',
    );
    process.exit(130);
  }
  console.error('pipeline failed:', err);
  process.exit(1);
});
