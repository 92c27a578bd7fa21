import { logLevelVar, type ConfigSpec } from '@headstart/service-kit';

import { DEFAULT_LABEL_BUDGET, DEFAULT_PRETRAIN_MINUTES, DEFAULT_STUDY_SEEDS } from './scale';

/** The main job's environment (read in main.ts only). Every variable has an embedded default. */
export const pipelineConfigSpec = {
  home: {
    env: 'HEADSTART_HOME',
    type: 'string',
    default: './.headstart',
    description:
      'Root of the local deployment: shipped data, JetStream store, registry database and artifacts, work files, reports.',
  },
  dataDir: {
    env: 'HEADSTART_DATA_DIR',
    type: 'string',
    required: false,
    description:
      'Where the shipped data is built and read (default: <home>/data). Built once, it is reused by every home that points here.',
  },
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats', 'tls'],
    required: false,
    description: 'Use this NATS server instead of starting a local nats-server.',
  },
  backend: {
    env: 'HEADSTART_BACKEND',
    type: 'enum',
    values: ['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    description:
      'TF.js backend of the in-process workers and predictions (auto: GPU, then tfjs-node, then native CPU).',
  },
  pretrainMinutes: {
    env: 'HEADSTART_PRETRAIN_MINUTES',
    type: 'number',
    min: 0.1,
    max: 10_080,
    default: DEFAULT_PRETRAIN_MINUTES,
    description:
      "Wall-clock pre-training budget: the run's own time budget (the learning rate decays with the time used; the run ends when it is spent).",
  },
  pretrainTokens: {
    env: 'HEADSTART_PRETRAIN_TOKENS',
    type: 'int',
    min: 1,
    required: false,
    description:
      'Pre-train on this many tokens instead (overrides HEADSTART_PRETRAIN_MINUTES; reproducible across machines).',
  },
  labelBudget: {
    env: 'HEADSTART_LABEL_BUDGET',
    type: 'int',
    min: 2,
    default: DEFAULT_LABEL_BUDGET,
    description:
      'Training labels of the registered SpamAssassin fine-tune and its from-scratch control (one seed each).',
  },
  studySeeds: {
    env: 'HEADSTART_STUDY_SEEDS',
    type: 'int',
    min: 2,
    max: 50,
    default: DEFAULT_STUDY_SEEDS,
    description:
      'Paired seeds of the dictionary-domains transfer study (each seed: one label draw, a fine-tune of the base and one from random weights, two baselines, at every budget).',
  },
  logFormat: {
    env: 'HEADSTART_LOG_FORMAT',
    type: 'enum',
    values: ['auto', 'json'],
    default: 'auto',
    description:
      'auto: progress bars on a terminal, JSON logs to HOME/logs/pipeline.log, else JSON logs on stdout; json: JSON logs on stdout always (also --log-format json).',
  },
  keepUp: {
    env: 'HEADSTART_KEEP_UP',
    type: 'boolean',
    default: false,
    description:
      "Leave the local stack running after the report, on the CLI's default ports (127.0.0.1:50051-50054), until Ctrl-C (or pass --keep-up).",
  },
  logLevel: logLevelVar,
} as const satisfies ConfigSpec;
