#!/usr/bin/env node
import * as os from 'node:os';
import type { SecuritySettings } from '@headstart/service-kit';
import { startTelemetry, type Telemetry } from '@headstart/telemetry';
import type { runCli as RunCli } from './program';
import { traceContextFromEnv } from './trace-parent';

/** The only place the CLI reads the environment. */
function currentUser(): string {
  try {
    return process.env['USER'] ?? os.userInfo().username;
  } catch {
    return '';
  }
}

/** HEADSTART_TLS_CA / _CERT / _KEY / _SERVER_NAME and HEADSTART_TOKEN, as the services read them. */
function security(env: NodeJS.ProcessEnv): SecuritySettings | undefined {
  const set = (name: string): string | undefined => env[name] || undefined;
  const tlsOn = set('HEADSTART_TLS_CA') !== undefined || set('HEADSTART_TLS_CERT') !== undefined;
  const token = set('HEADSTART_TOKEN');
  if (!tlsOn && token === undefined) return undefined;
  return {
    tls: tlsOn
      ? {
          caFile: set('HEADSTART_TLS_CA'),
          certFile: set('HEADSTART_TLS_CERT'),
          keyFile: set('HEADSTART_TLS_KEY'),
          serverNameOverride: set('HEADSTART_TLS_SERVER_NAME'),
        }
      : undefined,
    token,
  };
}

/** The global options that take a value (program.ts), skipped to find the command. */
const GLOBAL_VALUE_OPTIONS = new Set(['--registry', '--pretrain', '--ingest', '--finetune']);

/** The command word: the first argument that is neither a global option nor its value. */
function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** `up --otel X` (or `--otel=X`), else HEADSTART_OTEL_EXPORTER; only `up` exports telemetry. */
function upOtelExporter(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (commandOf(argv) !== 'up') return undefined;
  const at = argv.indexOf('--otel');
  const inline = argv.find((a) => a.startsWith('--otel='));
  return at >= 0
    ? argv[at + 1]
    : inline !== undefined
      ? inline.slice('--otel='.length)
      : env['HEADSTART_OTEL_EXPORTER'];
}

/**
 * For `up --otel console|otlp`, telemetry starts before anything loads @headstart/proto: the gRPC
 * instrumentation only traces clients whose classes are built after it (as in the services' main.ts).
 */
function startUpTelemetry(argv: readonly string[], env: NodeJS.ProcessEnv): Telemetry | undefined {
  const exporter = upOtelExporter(argv, env);
  if (exporter !== 'console' && exporter !== 'otlp') return undefined;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined;
  return startTelemetry({
    serviceName: 'headstart-up',
    exporter,
    // One line a span on the terminal (the SDK's objects are 20-odd lines each).
    consoleFormat: 'lines',
    ...(endpoint === undefined ? {} : { otlpEndpoint: endpoint }),
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const telemetry = startUpTelemetry(argv, process.env);
  // Loaded after telemetry started (see startUpTelemetry).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runCli } = require('./program') as { runCli: typeof RunCli };
  const otlpEndpoint = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined;
  const traceContext = traceContextFromEnv(process.env);
  process.exitCode = await runCli(argv, {
    streams: {
      stdout: process.stdout,
      stderr: process.stderr,
      stderrIsTTY: process.stderr.isTTY === true,
      stdoutIsTTY: process.stdout.isTTY === true,
    },
    defaultRegistry: process.env['HEADSTART_REGISTRY_ADDR'] ?? '127.0.0.1:50051',
    defaultPretrain: process.env['HEADSTART_PRETRAIN_ADDR'] ?? '127.0.0.1:50053',
    defaultIngest: process.env['HEADSTART_INGEST_ADDR'] ?? '127.0.0.1:50052',
    defaultFinetune: process.env['HEADSTART_FINETUNE_ADDR'] ?? '127.0.0.1:50054',
    defaultHome: process.env['HEADSTART_HOME'] ?? './.headstart',
    defaultBackend: process.env['HEADSTART_BACKEND'] ?? 'auto',
    actor: currentUser(),
    security: security(process.env),
    defaultOtel: process.env['HEADSTART_OTEL_EXPORTER'] || 'none',
    ...(otlpEndpoint === undefined ? {} : { otlpEndpoint }),
    ...(telemetry === undefined ? {} : { telemetry }),
    ...(traceContext === undefined ? {} : { traceContext }),
  });
  // Exit once the output is out: `up` has stopped its stack by now, and a handle one of its parts left
  // open must not keep the command from returning (the main job exits the same way).
  process.stdout.write('', () => process.exit());
}

void main();
