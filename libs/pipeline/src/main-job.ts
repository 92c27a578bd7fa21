// The main job as main.ts runs it, apart from reading the environment: where logs go, what the console
// shows, the pipeline, the report, and (--keep-up) the stack left running for the CLI.
//
// On a terminal (stdout a TTY, and not --log-format json) people get one line per stage, progress bars
// for long work (the reporter, reporter/tty-reporter.ts) and the report; the JSON logs go to
// `<home>/logs/pipeline.log`, warnings and errors also shown on the terminal. Anywhere else (CI,
// Kubernetes, a pipe) the JSON logs go to stdout as before, with a line per stage and per tenth of long
// work, then the report.
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { BackendChoice } from '@headstart/compute';
import { createLogger, type Logger } from '@headstart/service-kit';

import { startLocalStack, type LocalStack, type LocalStackService } from './local-stack';
import { createPlainReporter } from './reporter/plain-reporter';
import { combineReporters, type Reporter } from './reporter/reporter';
import { createTtyReporter, type TtyStream } from './reporter/tty-reporter';
import { runPipeline, type PipelineResult } from './run-pipeline';
import type { PipelineScale } from './scale';

export type LogFormat = 'auto' | 'json';

/** What main.ts read from the environment (pipelineConfigSpec). */
export interface MainJobConfig {
  home: string;
  /** Where the shipped data is (default: `<home>/data`). */
  dataDir?: string | undefined;
  natsUrl?: string | undefined;
  backend: BackendChoice;
  logLevel: string;
  logFormat: LogFormat;
  keepUp: boolean;
}

export interface MainArgs {
  logFormat?: LogFormat | undefined;
  keepUp?: boolean | undefined;
}

/** A command-line mistake: main.ts prints it and exits with 2. */
export class UsageError extends Error {}

export const USAGE = 'usage: main.js [--log-format auto|json] [--keep-up]';

/** `--log-format json`, `--log-format=json`, `--keep-up`; anything else is a UsageError. */
export function parseMainArgs(argv: readonly string[]): MainArgs {
  const args: MainArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--keep-up') {
      args.keepUp = true;
    } else if (arg === '--log-format' || arg.startsWith('--log-format=')) {
      const value = arg === '--log-format' ? argv[++i] : arg.slice('--log-format='.length);
      if (value !== 'auto' && value !== 'json') {
        throw new UsageError(`--log-format must be auto or json, got ${value ?? 'nothing'}\n${USAGE}`);
      }
      args.logFormat = value;
    } else {
      throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return args;
}

/** Whether the JSON logs go to a file (and the console shows stages and bars) rather than to stdout. */
export function logsToFile(format: LogFormat, stdoutIsTTY: boolean): boolean {
  return format === 'auto' && stdoutIsTTY;
}

/** The console's stream: process.stdout, or a test's fake. */
export type ConsoleStream = TtyStream & { write(chunk: string, callback?: () => void): unknown };

export interface ConsoleSetup {
  logger: Logger;
  reporter: Reporter;
  /** Where the JSON logs go; undefined: stdout. */
  logFile: string | undefined;
  /** Ends the bars and flushes the log file (lines logged after it are dropped). */
  close(): Promise<void>;
}

const WARNING = /"level":"(warn|error|fatal)"/;

/** The logger and reporter of `format` on `stdout` (see the header). */
export function setUpConsole(options: {
  home: string;
  logLevel: string;
  format: LogFormat;
  stdout: ConsoleStream;
}): ConsoleSetup {
  if (!logsToFile(options.format, options.stdout.isTTY === true)) {
    const logger = createLogger({
      name: 'pipeline',
      level: options.logLevel,
      destination: { write: (line: string) => options.stdout.write(line) },
    });
    return {
      logger,
      reporter: createPlainReporter(logger),
      logFile: undefined,
      close: async () => undefined,
    };
  }
  const logFile = path.join(options.home, 'logs', 'pipeline.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const file = fs.createWriteStream(logFile, { flags: 'a' });
  let ended = false;
  const tty = createTtyReporter(options.stdout);
  // Every line to the file; warnings and errors also to the terminal, where someone reads them.
  const destination = {
    write(line: string) {
      if (ended) return;
      file.write(line);
      if (!WARNING.test(line)) return;
      try {
        const { level, msg } = JSON.parse(line) as { level: string; msg?: string };
        tty.note(`${level === 'warn' ? '!' : '✗'} ${msg ?? ''}`);
      } catch {
        // not one JSON line: the file has it
      }
    },
  };
  const logger = createLogger({ name: 'pipeline', level: options.logLevel, destination });
  // The log file keeps the stage and progress lines of a run without a terminal.
  const reporter = combineReporters(createPlainReporter(logger), tty);
  reporter.note(`logs: ${logFile}`);
  return {
    logger,
    reporter,
    logFile,
    close: async () => {
      reporter.close();
      if (ended) return;
      ended = true;
      await new Promise((resolve) => file.end(resolve));
    },
  };
}

/** The CLI's default addresses (libs/cli/src/main.ts): a stack left up serves them. */
export const KEEP_UP_PORTS: Readonly<Record<LocalStackService, number>> = {
  registry: 50051,
  ingest: 50052,
  pretrain: 50053,
  finetune: 50054,
};

export interface MainJobOptions {
  argv: readonly string[];
  config: MainJobConfig;
  stdout: ConsoleStream;
  scale: PipelineScale;
  dataDir?: string | undefined;
  /** The first Ctrl-C: stop the pipeline (or the stack left up). */
  signal?: AbortSignal | undefined;
  /** Where a stack left up serves (0: a free port). @default KEEP_UP_PORTS */
  keepUpPorts?: Partial<Record<LocalStackService, number>> | undefined;
}

const write = (stdout: ConsoleStream, text: string) =>
  new Promise<void>((resolve) => stdout.write(text, () => resolve()));

/** Runs the main job; the returned result's report is printed. Throws what the pipeline throws. */
export async function runMainJob(options: MainJobOptions): Promise<PipelineResult> {
  const { config, stdout, signal } = options;
  const args = parseMainArgs(options.argv);
  const home = path.resolve(config.home);
  const keepUp = args.keepUp ?? config.keepUp;
  const out = setUpConsole({
    home,
    logLevel: config.logLevel,
    format: args.logFormat ?? config.logFormat,
    stdout,
  });
  const { logger, reporter } = out;
  const onStop = () =>
    logger.warn('stopping: the services shut down gracefully (send it again to exit at once)');
  signal?.addEventListener('abort', onStop, { once: true });
  let stack: LocalStack | undefined;
  try {
    stack = keepUp
      ? await startLocalStack({
          home,
          natsUrl: config.natsUrl,
          backend: config.backend,
          logger,
          ports: options.keepUpPorts ?? KEEP_UP_PORTS,
        })
      : undefined;
    const result = await runPipeline({
      home,
      natsUrl: config.natsUrl,
      backend: config.backend,
      logger,
      scale: options.scale,
      dataDir: options.dataDir ?? config.dataDir,
      signal,
      reporter,
      stack,
    });
    reporter.close();
    // A terminal gets the summary (the full report is in a file beside the JSON); logs and CI the whole text.
    await write(stdout, `\n${out.logFile ? result.summary : result.text}\n`);
    if (stack) {
      const at = Object.entries(stack.addresses).map(([name, address]) => `${name} ${address}`);
      await write(
        stdout,
        `\nthe stack stays up (${at.join(', ')}; nats ${stack.natsUrl}): run headstart commands in another ` +
          'terminal; Ctrl-C stops it\n',
      );
      if (signal && !signal.aborted) {
        signal.removeEventListener('abort', onStop);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      }
    }
    return result;
  } catch (err) {
    reporter.close();
    if (out.logFile) await write(stdout, `\nthe JSON logs are in ${out.logFile}\n`);
    throw err;
  } finally {
    reporter.close();
    await stack?.shutdown();
    await out.close();
  }
}
