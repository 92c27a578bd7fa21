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

/** The main job end-to-end test's scale. */
const TINY = pipeline.TINY_SCALE;

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
