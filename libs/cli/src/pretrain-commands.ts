// The `pretrain` command group's command-line surface (options and help); the work is in ./pretrain.
import type { PretrainClient } from '@headstart/pretrain-client';
import type { Command } from 'commander';
import { collectRepeated } from './args';
import {
  cancelPretrainRun,
  getPretrainRun,
  listPretrainRuns,
  startPretrainRun,
  watchPretrainRun,
} from './commands/pretrain';
import type { Output } from './output';

export type PretrainAction = (client: PretrainClient, out: Output) => Promise<void>;

export function addPretrainCommands(program: Command, run: (action: PretrainAction) => Promise<void>): void {
  const group = program
    .command('pretrain')
    .description('masked-LM pre-training runs (PretrainService; --pretrain or HEADSTART_PRETRAIN_ADDR)');
  addRunSpecOptions(
    group
      .command('start')
      .description(
        'validate and queue a run, then follow it (exit 0 only if it succeeded); checkpoints become BASE_MODEL versions of --model',
      ),
    'start',
  )
    .option('--idempotency-key <key>', 'a retry with the same key returns the same run')
    .option('--detach', 'print the run and return at once')
    .action((options) => run((client, out) => startPretrainRun(client, out, options)));
  group
    .command('get <run>')
    .description('show a run: state, progress, evaluation, checkpoints')
    .action((runId: string) => run((client, out) => getPretrainRun(client, out, runId)));
  group
    .command('ls')
    .description('runs, newest first')
    .option('--state <state>', 'queued, running, succeeded, failed or cancelled')
    .option('--model <name>', 'runs registering under this model')
    .option('--limit <n>', 'at most this many runs')
    .action((options) => run((client, out) => listPretrainRuns(client, out, options)));
  group
    .command('watch <run>')
    .description('follow a run until it ends (exit 0 only if it succeeded; --json: one JSON per line)')
    .action((runId: string) => run((client, out) => watchPretrainRun(client, out, runId)));
  group
    .command('cancel <run>')
    .description('cancel a queued run, or stop a running one at its next step')
    .action((runId: string) => run((client, out) => cancelPretrainRun(client, out, runId)));
}

/**
 * The options that describe a run (`pretrain start`), or the run an adaptation trigger starts (`triggers
 * adapt`: no architecture options, the base's is kept, and no --from: the checkpoint that fires it is the base).
 */
export function addRunSpecOptions(command: Command, kind: 'start' | 'adapt'): Command {
  command
    .requiredOption('--model <name>', 'BASE_MODEL name the checkpoints are registered under')
    .requiredOption(
      '--shards <ref>',
      'token shards: NAME, NAME:VERSION or NAME@ALIAS; or a mixture of sources by weight, REF=WEIGHT,REF=WEIGHT (e.g. general:3=0.5,domain@final=0.5)',
    )
    .option('--seed <n>', 'seeds init, data order, masks and dropout (default 0)')
    .option('--lr <x>', 'peak learning rate (default 1e-3)')
    .option('--warmup <steps>', 'linear warmup steps (default 100)')
    .option('--decay <shape>', 'cosine, linear or constant (default cosine)')
    .option('--min-lr <x>', 'decay floor (default lr / 10)')
    .option('--weight-decay <x>', 'AdamW decoupled weight decay (default 0.01)')
    .option('--clip-norm <x>', 'global gradient-norm clip, 0 = off (default 1)')
    .option('--batch <n>', 'sequences per micro-batch (default 32)')
    .option('--seq-len <n>', 'tokens per sequence (default 128)')
    .option('--accum <n>', 'micro-batches per step (default 1)')
    .option('--max-steps <n>', 'optimizer steps (default 2000 when no other budget is given)')
    .option('--tokens <n>', 'token budget: stop after this many tokens')
    .option(
      '--minutes <n>',
      'time budget: train for this many wall-clock minutes, the learning rate decaying with the time used',
    )
    .option('--eval-every <n>', 'evaluate every N steps (default 200)')
    .option('--eval-batches <n>', 'fixed validation batches per evaluation (default 20)')
    .option('--checkpoint-every <n>', 'checkpoint and register every N steps (default 500)')
    .option('--keep-last <n>', 'local checkpoints kept besides the best (default 3)')
    .option('--mask-prob <p>', 'share of tokens masked (default 0.15)')
    .option('--backend <name>', "auto, tensorflow, wasm or cpu (default: the worker's)")
    .option('--final-alias <alias>', 'alias of the last checkpoint (default final)')
    .option('--tag <tag>', 'tag every checkpoint version (repeatable)', collectRepeated)
    .option('--description <text>', 'description of the checkpoint versions');
  if (kind === 'start') {
    command
      .option('--vocab-size <n>', "model vocabulary (default: the shards')")
      .option('--d-model <n>', 'hidden size (default 128)')
      .option('--heads <n>', 'attention heads (default 4)')
      .option('--layers <n>', 'transformer blocks (default 2)')
      .option('--ff <n>', 'feed-forward size (default 4 x d-model)')
      .option('--max-len <n>', 'learned positions (default: --seq-len)')
      .option('--dropout <p>', 'dropout rate (default 0)')
      .option(
        '--from <ref>',
        "continue pre-training from this base (NAME:VERSION or NAME@ALIAS): its weights and architecture, a fresh schedule; the shards must use the base's tokenizer",
      );
  }
  return command;
}
