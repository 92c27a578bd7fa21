#!/usr/bin/env node
// Counts the console lines of the main job at the pipeline e2e test's tiny scale (not the real 20-minute
// job): the same code as `make demo` (libs/pipeline/dist), in a fresh home, on this process's stdout.
// Pipe it to count non-terminal output, or run it under `script -qc` for a terminal:
//   node bench/console/count-lines.mjs | wc -l                      (non-TTY: JSON logs + report)
//   script -qc 'node bench/console/count-lines.mjs' /tmp/tty.raw; node bench/console/screen-lines.mjs /tmp/tty.raw   (TTY)
//   node bench/console/count-lines.mjs --baseline | wc -l           (what main.ts printed before issue 11)
// After `pnpm run build`. Extra arguments go to the main job (e.g. --log-format json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pipeline = require('../../libs/pipeline/dist/index.js');
const { createLogger } = require('../../libs/service-kit/dist/index.js');

/** tests/e2e/pipeline.test.ts's TINY scale. */
const TINY = {
  corpusDocuments: { train: 30, validation: 4 },
  taskExamples: { train: 40, dev: 16, test: 24 },
  tokenizerVocab: 200,
  model: { dModel: 16, heads: 2, layers: 1, ff: 32, dropout: 0.1 },
  pretrain: {
    batchSize: 8,
    seqLen: 16,
    learningRate: 3e-3,
    warmupFraction: 0.2,
    maxWarmupSteps: 2,
    evaluations: 2,
    evalBatches: 2,
    checkpoints: 2,
    budget: { kind: 'steps', steps: 6 },
    seed: 7,
  },
  finetune: {
    labelBudget: 20,
    epochs: 2,
    batchSize: 8,
    maxLength: 16,
    maxSteps: 0,
    minSteps: 0,
    patience: 0,
    seed: 7,
  },
  classifyTexts: 4,
  studies: [
    {
      task: 'dictionary-domains',
      base: 'adapted',
      budgets: [10, 0],
      seeds: 2,
      headline: 10,
      hyperparameters: { minSteps: 0, epochs: 2, batchSize: 8, maxLength: 16 },
    },
    {
      task: 'dictionary-domains',
      base: 'general',
      budgets: [10],
      seeds: 2,
      headline: 10,
      arms: ['pretrained'],
      hyperparameters: { minSteps: 0, epochs: 2, batchSize: 8, maxLength: 16 },
    },
  ],
  adaptation: {
    task: 'dictionary-domains',
    steps: 4,
    learningRate: 3e-3,
    warmupSteps: 1,
    evaluations: 1,
    seed: 7,
  },
};

const args = process.argv.slice(2);
const home = mkdtempSync(join(tmpdir(), 'console-lines-'));
const dataDir = process.env['COUNT_LINES_DATA_DIR'] ?? join(home, 'data');
try {
  if (args.includes('--baseline')) {
    // main.ts before issue 11: every JSON log line on stdout, then the report.
    const logger = createLogger({ name: 'pipeline', level: 'info' });
    const result = await pipeline.runPipeline({ home, logger, scale: TINY, dataDir, backend: 'cpu' });
    await new Promise((resolve) => process.stdout.write(`\n${result.text}\n`, resolve));
  } else {
    const { runMainJob } = require('../../libs/pipeline/dist/main-job.js');
    await runMainJob({
      argv: args,
      config: { home, backend: 'cpu', logLevel: 'info', logFormat: 'auto', keepUp: false },
      stdout: process.stdout,
      scale: TINY,
      dataDir,
    });
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(0);
