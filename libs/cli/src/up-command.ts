// The `up` command's command-line surface; the work is in ./commands/up.
import type { Command } from 'commander';
import type { UpOptions } from './commands/up';

export function addUpCommand(
  program: Command,
  defaults: { home: string; backend: string; otel: string },
  run: (options: UpOptions) => Promise<void>,
): void {
  program
    .command('up')
    .description(
      'run the local stack of `make demo` (nats-server, registry, ingest, pretrain and finetune APIs and ' +
        'workers) in the foreground, serving the addresses the other commands use (--registry, --ingest, ' +
        '--pretrain, --finetune; a port 0 is a free one), until Ctrl-C or SIGTERM',
    )
    .option(
      '--home <dir>',
      'root of its files: JetStream store, registry, work files, logs/up.log',
      defaults.home,
    )
    .option(
      '--backend <name>',
      'TF.js backend of the workers: auto, tensorflow, wasm or cpu',
      defaults.backend,
    )
    .option('--log-level <level>', 'level of the JSON logs written to HOME/logs/up.log', 'info')
    .option(
      '--otel <exporter>',
      'where the stack sends its traces and metrics: none, console (stdout) or otlp ' +
        '(OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4317)',
      defaults.otel,
    )
    .action((options: UpOptions) => run(options));
}
