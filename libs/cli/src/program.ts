import type { ChannelCredentials, ChannelOptions, Interceptor } from '@grpc/grpc-js';
import { Command, CommanderError } from 'commander';
import {
  createRegistryClient,
  MODEL_KIND_NAMES,
  type RegistryClient,
  type RegistryClientOptions,
} from '@headstart/registry-client';
import { createIngestClient, type IngestClient, type IngestClientOptions } from '@headstart/ingest-client';
import {
  createPretrainClient,
  type PretrainClient,
  type PretrainClientOptions,
} from '@headstart/pretrain-client';
import {
  createFinetuneClient,
  type FinetuneClient,
  type FinetuneClientOptions,
} from '@headstart/finetune-client';
import { clientSecurityOf, type SecuritySettings } from '@headstart/service-kit';
import type { Telemetry } from '@headstart/telemetry';
import { collectRepeated } from './args';
import { aliasHistory, deleteAlias, setAlias } from './commands/alias';
import { download } from './commands/download';
import { getVersion } from './commands/get';
import { showLineage } from './commands/lineage';
import { listModels } from './commands/models';
import { removeVersion } from './commands/rm';
import { changeTags } from './commands/tags';
import { upload } from './commands/upload';
import { listVersions } from './commands/versions';
import { asHeadstartError, describeError, ExitCode, exitCodeFor } from './exit-codes';
import { addFinetuneCommands, type FinetuneAction } from './finetune-commands';
import { addIngestCommands, type IngestAction } from './ingest-commands';
import { addPretrainCommands, type PretrainAction } from './pretrain-commands';
import { createOutput, type CliStreams, type Output } from './output';
import { addStudyCommands } from './study-commands';
import { up, type UpOptions } from './commands/up';
import { processStopSignal } from './stop-signal';
import { traceContextInterceptor } from './trace-parent';
import { addUpCommand } from './up-command';
import { noStackError, type ServiceOption } from './no-stack';

export interface CliDependencies {
  streams: CliStreams;
  /** Used when --registry is not given; main.ts passes HEADSTART_REGISTRY_ADDR or 127.0.0.1:50051. */
  defaultRegistry: string;
  /** TLS files and the bearer token of every client; main.ts reads them from HEADSTART_TLS_* and
   * HEADSTART_TOKEN. @default plaintext, no token */
  security?: SecuritySettings;
  /** Recorded as who moved an alias; main.ts passes the user name. */
  actor?: string;
  /** @default createRegistryClient */
  createClient?: (options: RegistryClientOptions) => RegistryClient;
  /** Used when --ingest is not given; main.ts passes HEADSTART_INGEST_ADDR. @default '127.0.0.1:50052' */
  defaultIngest?: string;
  /** @default createIngestClient */
  createIngestClient?: (options: IngestClientOptions) => IngestClient;
  /** Used when --finetune is not given; main.ts passes HEADSTART_FINETUNE_ADDR. @default '127.0.0.1:50054' */
  defaultFinetune?: string;
  /** @default createFinetuneClient */
  createFinetuneClient?: (options: FinetuneClientOptions) => FinetuneClient;
  /** Used when --pretrain is not given; main.ts passes HEADSTART_PRETRAIN_ADDR. @default '127.0.0.1:50053' */
  defaultPretrain?: string;
  /** @default createPretrainClient */
  createPretrainClient?: (options: PretrainClientOptions) => PretrainClient;
  /** `up --home` default; main.ts passes HEADSTART_HOME, as the main job reads it. @default './.headstart' */
  defaultHome?: string;
  /** `up --backend` default; main.ts passes HEADSTART_BACKEND. @default 'auto' */
  defaultBackend?: string;
  /**
   * The signal `up` stops on, asked for when `up` starts. @default processStopSignal (the first
   * SIGINT/SIGTERM aborts it; the second exits the process at once)
   */
  stopSignal?: () => AbortSignal;
  /** `up --otel` default; main.ts passes HEADSTART_OTEL_EXPORTER. @default 'none' */
  defaultOtel?: string;
  /** OTLP/gRPC collector of `up --otel otlp`; main.ts passes OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint?: string;
  /** W3C trace context every call carries (main.ts: TRACEPARENT, TRACESTATE), so commands join one trace. */
  traceContext?: Readonly<Record<string, string>>;
  /** Telemetry main.ts started before loading this module (for `up --otel`), handed to `up`. */
  telemetry?: Telemetry;
}

interface GlobalOptions {
  registry: string;
  pretrain: string;
  ingest: string;
  finetune: string;
  json?: boolean;
}

type Action = (client: RegistryClient, out: Output) => Promise<void>;

const REF_HELP = 'NAME (latest), NAME:VERSION or NAME@ALIAS';

function buildProgram(
  deps: CliDependencies,
  run: (action: Action) => Promise<void>,
  runIngest: (action: IngestAction) => Promise<void>,
  runFinetune: (action: FinetuneAction) => Promise<void>,
  runPretrain: (action: PretrainAction) => Promise<void>,
  runUp: (options: UpOptions) => Promise<void>,
): Command {
  const program = new Command('headstart')
    .description(
      'Headstart: the model registry (models, versions, aliases, lineage, artifacts), ingest ' +
        '(corpora, tokenizers, token shards, jobs), pre-training (runs), fine-tuning (jobs, triggers, ' +
        'predictions) and transfer studies.',
    )
    .option('--registry <host:port>', 'registry address', deps.defaultRegistry)
    .option('--pretrain <host:port>', 'pretrain service address', deps.defaultPretrain ?? '127.0.0.1:50053')
    .option('--ingest <host:port>', 'ingest service address', deps.defaultIngest ?? '127.0.0.1:50052')
    .option('--finetune <host:port>', 'finetune service address', deps.defaultFinetune ?? '127.0.0.1:50054')
    .option('--json', 'print one machine-readable JSON document instead of tables')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.streams.stdout.write(text),
      writeErr: (text) => deps.streams.stderr.write(text),
    })
    .showSuggestionAfterError();
  const kinds = MODEL_KIND_NAMES.join('|');

  const models = program.command('models').description('models in the registry');
  models
    .command('ls')
    .description('list models')
    .option('--kind <kind>', kinds)
    .option('--prefix <prefix>', 'names starting with')
    .option('--tag <tag>', 'models carrying this tag')
    .action((options) => run((client, out) => listModels(client, out, options)));

  const versions = program.command('versions').description('versions of models');
  versions
    .command('ls [name]')
    .description('list versions of a model, or of any model matching the filter')
    .option('--tag <tag>', 'versions carrying this tag')
    .option('--alias <alias>', 'versions an alias of this name points at')
    .option('--parent <ref>', `direct children of this version (${REF_HELP})`)
    .option('--relation <relation>', 'with --parent: only this relation, e.g. finetuned_from')
    .option('--kind <kind>', kinds)
    .option('--prefix <prefix>', 'model names starting with')
    .option('--run-id <id>', 'versions produced by this run')
    .action((name: string | undefined, options) =>
      run((client, out) => listVersions(client, out, name, options)),
    );

  program
    .command('get <ref>')
    .description(`show one version (${REF_HELP})`)
    .action((ref: string) => run((client, out) => getVersion(client, out, ref)));

  program
    .command('lineage <ref>')
    .description('ancestors and descendants of a version; --json prints nodes and edges')
    .option('--ancestors', 'only what it was made from')
    .option('--descendants', 'only what was made from it')
    .option('--depth <n>', 'levels to follow (0: all)')
    .action((ref: string, options) => run((client, out) => showLineage(client, out, ref, options)));

  const alias = program.command('alias').description('aliases such as production or latest-checkpoint');
  alias
    .command('set <name> <alias> <version>')
    .description('point an alias at a version (kept in the alias history)')
    .option('--protect', 'protect the alias: moving it then needs --force')
    .option('--unprotect', 'remove protection (needs --force)')
    .option('--force', 'override the protection of a protected alias')
    .option('--reason <text>', 'why, kept in the history')
    .action((name: string, aliasName: string, version: string, options) =>
      run((client, out) => setAlias(client, out, name, aliasName, version, options)),
    );
  alias
    .command('rm <name> <alias>')
    .description('delete an alias (kept in the alias history)')
    .option('--force', 'override the protection of a protected alias')
    .option('--reason <text>', 'why, kept in the history')
    .action((name: string, aliasName: string, options) =>
      run((client, out) => deleteAlias(client, out, name, aliasName, options)),
    );
  alias
    .command('history <name> [alias]')
    .description('every move of one alias, or of all aliases of a model, newest first')
    .action((name: string, aliasName: string | undefined) =>
      run((client, out) => aliasHistory(client, out, name, aliasName)),
    );

  const tags = program
    .command('tags')
    .description('tags of a model (REF = NAME) or a version (NAME:VERSION, NAME@ALIAS)');
  for (const action of ['add', 'rm'] as const) {
    tags
      .command(`${action} <ref> <tags...>`)
      .description(action === 'add' ? 'add tags' : 'remove tags')
      .action((ref: string, names: string[]) =>
        run((client, out) => changeTags(client, out, action, ref, names)),
      );
  }

  program
    .command('download <ref>')
    .description(`download a verified artifact (${REF_HELP})`)
    .option('-o, --output <file>', "destination file, '-' for stdout (default: NAME-vVERSION)")
    .action((ref: string, options) => run((client, out) => download(client, out, ref, options)));

  program
    .command('upload <name> <file>')
    .description('upload a file as a new version')
    .requiredOption('--kind <kind>', kinds)
    .option(
      '--parent <ref:relation>',
      'a parent, e.g. wiki-corpus:2:trained_on (repeatable)',
      collectRepeated,
    )
    .option('--meta <key=value>', 'metadata (repeatable)', collectRepeated)
    .option('--metric <key=number>', 'metric (repeatable)', collectRepeated)
    .option('--tag <tag>', 'tag the version (repeatable)', collectRepeated)
    .option('--alias <alias>', 'point this alias at the new version (repeatable)', collectRepeated)
    .option('--description <text>', 'description of this version')
    .option('--model-description <text>', 'description of the model, when this creates it')
    .option('--run-id <id>', 'the run that produced it')
    .option('--idempotency-key <key>', 'a retry with the same key returns the version already committed')
    .action((name: string, file: string, options) =>
      run((client, out) => upload(client, out, name, file, options)),
    );

  program
    .command('rm <ref>')
    .description('delete a version, NAME:VERSION (refused while another version descends from it)')
    .action((ref: string) => run((client, out) => removeVersion(client, out, ref)));

  addIngestCommands(program, runIngest);
  addFinetuneCommands(program, runFinetune);
  // `study report` opens the finetune client, then the registry's inside it: both close however it ends.
  addStudyCommands(program, runFinetune, (action) =>
    runFinetune((finetune, out) => run((registry) => action(finetune, registry, out))),
  );
  addPretrainCommands(program, runPretrain);
  addUpCommand(
    program,
    {
      home: deps.defaultHome ?? './.headstart',
      backend: deps.defaultBackend ?? 'auto',
      otel: deps.defaultOtel ?? 'none',
    },
    runUp,
  );
  return program;
}

/** Help and --version end with 0; every other commander error is a usage error. */
function commanderExitCode(error: CommanderError): number {
  if (
    error.exitCode === 0 ||
    error.code === 'commander.helpDisplayed' ||
    error.code === 'commander.version'
  ) {
    return ExitCode.OK;
  }
  return ExitCode.USAGE;
}

/**
 * Runs one command line (`argv` without node and script) and returns the exit status. Never calls
 * process.exit and reads no environment, so tests run it in-process.
 */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const createClient = deps.createClient ?? createRegistryClient;
  // Read when a client opens (a missing certificate file fails the command, not the parsing).
  const secure = () => {
    const security: { credentials?: ChannelCredentials; channelOptions?: ChannelOptions } =
      deps.security === undefined ? {} : clientSecurityOf(deps.security);
    if (deps.traceContext === undefined) return security;
    const channelOptions = security.channelOptions ?? {};
    const interceptors = (channelOptions['interceptors'] as Interceptor[] | undefined) ?? [];
    return {
      ...security,
      channelOptions: {
        ...channelOptions,
        interceptors: [...interceptors, traceContextInterceptor(deps.traceContext)],
      },
    };
  };
  let json = argv.includes('--json');
  // Each command opens the client of its service at the address the global options name, hands it to
  // the action with the output, and closes it however the action ends.
  // A failed connection is told apart from a service that is up but unavailable: see noStackError.
  const withClient =
    <C extends { close(): void }>(service: ServiceOption, open: (globals: GlobalOptions) => C) =>
    async (action: (client: C, out: Output) => Promise<void>): Promise<void> => {
      const globals = program.opts<GlobalOptions>();
      json = globals.json === true;
      const client = open(globals);
      try {
        await action(client, createOutput(deps.streams, json));
      } catch (err) {
        throw (await noStackError(err, service, globals[service])) ?? err;
      } finally {
        client.close();
      }
    };
  const program: Command = buildProgram(
    deps,
    withClient('registry', (globals) =>
      createClient({
        address: globals.registry,
        ...secure(),
        ...(deps.actor === undefined ? {} : { actor: deps.actor }),
      }),
    ),
    withClient('ingest', (globals) =>
      (deps.createIngestClient ?? createIngestClient)({ address: globals.ingest, ...secure() }),
    ),
    withClient('finetune', (globals) =>
      (deps.createFinetuneClient ?? createFinetuneClient)({ address: globals.finetune, ...secure() }),
    ),
    withClient('pretrain', (globals) =>
      (deps.createPretrainClient ?? createPretrainClient)({
        address: globals.pretrain,
        ...secure(),
        addressSource: '--pretrain (or HEADSTART_PRETRAIN_ADDR)',
      }),
    ),
    async (options) => {
      const globals = program.opts<GlobalOptions>();
      json = globals.json === true;
      await up(globals, options, {
        out: createOutput(deps.streams, json),
        stderr: deps.streams.stderr,
        stopSignal: (deps.stopSignal ?? processStopSignal)(),
        telemetry: deps.telemetry,
        otlpEndpoint: deps.otlpEndpoint,
      });
    },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    const error = asHeadstartError(err);
    deps.streams.stderr.write(describeError(error, json));
    return exitCodeFor(error);
  }
}
