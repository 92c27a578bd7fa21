// `headstart up`: the embedded local stack the main job uses (nats-server, registry, ingest, pretrain API
// and worker, finetune API and worker), in the foreground, serving the addresses the other commands
// connect to, until the stop signal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import type {
  LocalStack,
  LocalStackOptions,
  LocalStackService,
  startLocalStack as StartLocalStackFn,
} from '@headstart/pipeline';
import { createLogger, TELEMETRY_EXPORTERS } from '@headstart/service-kit';
import type { Telemetry, TelemetryExporter, startTelemetry as StartTelemetryFn } from '@headstart/telemetry';
import type { Output, Writer } from '../output';
import { canListen, splitAddress, type HostPort } from '../ports';

export interface UpOptions {
  home: string;
  backend: string;
  logLevel: string;
  /** none, console or otlp (--otel; HEADSTART_OTEL_EXPORTER). */
  otel: string;
}

/** Where each gRPC service serves: the CLI's own --registry, --ingest, --pretrain and --finetune. */
export type UpAddresses = Readonly<Record<LocalStackService, string>>;

export interface UpContext {
  out: Output;
  /** Where the stop is announced (stdout stays the status, or the one JSON document with --json). */
  stderr: Writer;
  /** Aborted when the stack is to stop (main.ts: the first SIGINT or SIGTERM). */
  stopSignal: AbortSignal;
  /**
   * Telemetry main.ts started before anything loaded the gRPC clients (so every call is traced); when
   * absent and --otel asks for it, `up` starts it itself (spans of NATS hops and the services' own; gRPC
   * calls are only traced when telemetry started first).
   */
  telemetry?: Telemetry | undefined;
  /** OTLP/gRPC collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpEndpoint?: string | undefined;
}

type StartLocalStack = typeof StartLocalStackFn;

const SERVICES: readonly LocalStackService[] = ['registry', 'ingest', 'pretrain', 'finetune'];
const BACKENDS = ['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** The stack binds loopback only: it has no authentication. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

const refused = (message: string, field: string) =>
  new HeadstartError(Code.FAILED_PRECONDITION, message, { details: { field } });

/** The ports to serve on, refused before anything starts when a host is not loopback or a port is taken. */
async function portsToServe(addresses: UpAddresses): Promise<Record<LocalStackService, number>> {
  const wanted = SERVICES.map((name) => [name, splitAddress(addresses[name], name)] as const);
  for (const [name, { host }] of wanted) {
    if (!LOOPBACK.has(host)) {
      throw new HeadstartError(
        Code.INVALID_ARGUMENT,
        `headstart up serves on 127.0.0.1 only; --${name} names ${host}`,
        { details: { field: name } },
      );
    }
  }
  const taken: string[] = [];
  for (const [name, { port }] of wanted) {
    const at: HostPort = { host: '127.0.0.1', port };
    if (port !== 0 && !(await canListen(at))) {
      const env = `HEADSTART_${name.toUpperCase()}_ADDR`;
      taken.push(`port ${port} (${name}) is in use: set ${env} or --${name} to another 127.0.0.1:PORT`);
    }
  }
  if (taken.length > 0) {
    throw refused(
      `cannot start the stack: ${taken.join('; ')} (is another \`headstart up\` running?)`,
      'address',
    );
  }
  return Object.fromEntries(wanted.map(([name, { port }]) => [name, port])) as Record<
    LocalStackService,
    number
  >;
}

function backendChoice(text: string): NonNullable<LocalStackOptions['backend']> {
  const choice = BACKENDS.find((b) => b === text);
  if (choice === undefined) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `--backend must be one of ${BACKENDS.join(', ')}`, {
      details: { field: 'backend' },
    });
  }
  return choice;
}

function printStatus(out: Output, stack: LocalStack, logFile: string): void {
  const backend = `${stack.backend.name} (${stack.backend.kind})`;
  out.result(
    () => ({ home: stack.home, backend, logs: logFile, nats: stack.natsUrl, addresses: stack.addresses }),
    () =>
      out.table(
        [{ header: 'service' }, { header: 'address' }],
        [
          ...SERVICES.map((name) => [name, stack.addresses[name]]),
          ['nats', stack.natsUrl],
          ['workers', 'pretrain, finetune (in this process)'],
        ],
      ) +
      out.fields([
        ['home', stack.home],
        ['backend', backend],
        ['logs', logFile],
      ]) +
      'ready: run headstart commands in another terminal; Ctrl-C stops the stack (twice: at once)\n',
  );
}

function otelChoice(text: string): (typeof TELEMETRY_EXPORTERS)[number] {
  const choice = TELEMETRY_EXPORTERS.find((e) => e === text);
  if (choice === undefined) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `--otel must be one of ${TELEMETRY_EXPORTERS.join(', ')}`,
      {
        details: { field: 'otel' },
      },
    );
  }
  return choice;
}

/** The telemetry main.ts started, else one started here for --otel console|otlp, else none. */
function telemetryFor(options: UpOptions, context: UpContext): Telemetry | undefined {
  const exporter = otelChoice(options.otel);
  if (context.telemetry !== undefined || exporter === 'none') return context.telemetry;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTelemetry } = require('@headstart/telemetry') as { startTelemetry: typeof StartTelemetryFn };
  return startTelemetry({
    serviceName: 'headstart-up',
    exporter: exporter satisfies TelemetryExporter,
    consoleFormat: 'lines',
    ...(context.otlpEndpoint ? { otlpEndpoint: context.otlpEndpoint } : {}),
  });
}

export async function up(addresses: UpAddresses, options: UpOptions, context: UpContext): Promise<void> {
  const backend = backendChoice(options.backend);
  otelChoice(options.otel);
  const ports = await portsToServe(addresses);
  const home = path.resolve(options.home);
  const logFile = path.join(home, 'logs', 'up.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  // The services' JSON logs go to a file: the terminal shows the status, not hundreds of log lines.
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({ name: 'headstart-up', level: options.logLevel, destination: logStream });
  const telemetry = telemetryFor(options, context);
  try {
    // Loaded here so that the other commands do not load TensorFlow.js and the services; a require, as
    // a native import() is not available to code under Jest's module sandbox.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startLocalStack } = require('@headstart/pipeline') as { startLocalStack: StartLocalStack };
    const stack = await startLocalStack({ home, backend, ports, logger });
    try {
      printStatus(context.out, stack, logFile);
      if (!context.stopSignal.aborted) {
        await new Promise((resolve) => context.stopSignal.addEventListener('abort', resolve, { once: true }));
      }
      context.stderr.write('stopping the stack (send the signal again to exit at once)\n');
    } finally {
      await stack.shutdown();
    }
    context.stderr.write('stack stopped\n');
  } finally {
    // The spans of the stop are exported too, then the exporter stops.
    await telemetry?.shutdown();
    await new Promise((resolve) => logStream.end(resolve));
  }
}
