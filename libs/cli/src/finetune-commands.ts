import type { FinetuneClient } from '@headstart/finetune-client';
import type { Command } from 'commander';
import {
  cancelFinetune,
  followFinetune,
  getFinetune,
  listFinetunes,
  startFinetune,
} from './commands/finetune';
import { addSpecOptions } from './commands/finetune-spec-options';
import { classifyTexts, fillMask } from './commands/predict';
import { createAdaptationTrigger, createTrigger, deleteTrigger, listTriggers } from './commands/triggers';
import { addRunSpecOptions } from './pretrain-commands';
import type { Output } from './output';

export type FinetuneAction = (client: FinetuneClient, out: Output) => Promise<void>;

const REF_HELP = 'NAME (latest), NAME:VERSION or NAME@ALIAS';

/** The finetune service's commands: finetune, triggers, classify, fill-mask. */
export function addFinetuneCommands(program: Command, run: (action: FinetuneAction) => Promise<void>): void {
  const ft = program.command('finetune').description('fine-tune jobs (FINETUNED_MODEL versions)');
  addSpecOptions(
    ft
      .command('start')
      .description(
        'fine-tune a base checkpoint on a labelled dataset and follow the job (exit 0 only if it succeeded)',
      )
      .requiredOption('--base <ref>', `BASE_MODEL checkpoint (${REF_HELP})`),
  )
    .option('--idempotency-key <key>', 'a retry with the same key returns the job already started')
    .option('--detach', 'print the job id and return at once')
    .action((options) => run((client, out) => startFinetune(client, out, options)));
  ft.command('get <id>')
    .description('show a job: progress, evaluation, result')
    .action((id: string) => run((client, out) => getFinetune(client, out, id)));
  ft.command('ls')
    .description('jobs, newest first')
    .option('--state <state>', 'queued, running, succeeded, failed or cancelled')
    .option('--trigger <id>', 'jobs a trigger created')
    .option('--base <name>', 'jobs fine-tuning this base model')
    .option('--limit <n>', 'at most this many', '50')
    .action((options) => run((client, out) => listFinetunes(client, out, options)));
  ft.command('watch <id>')
    .description('follow a job until it ends (exit 0 only if it succeeded)')
    .action((id: string) => run((client, out) => followFinetune(client, out, id)));
  ft.command('cancel <id>')
    .description('cancel a queued or running job (nothing is registered)')
    .action((id: string) => run((client, out) => cancelFinetune(client, out, id)));

  const triggers = program
    .command('triggers')
    .description('fine-tune automatically when a base model gets a checkpoint');
  addSpecOptions(
    triggers
      .command('create <base-model>')
      .description(
        'fine-tune every matching checkpoint of BASE-MODEL (one job per checkpoint), or with --study ' +
          'start a transfer study of it (one study per checkpoint)',
      )
      .option('--on <condition>', 'every (checkpoint), final, alias:NAME or tag:NAME', 'every'),
  )
    .option(
      '--study',
      "start a transfer study instead of a fine-tune: --lr is the pre-trained arm's, --epochs, --min-steps " +
        'and --pooling go to both arms; --description and --tag describe the report',
    )
    .option(
      '--budgets <list>',
      'with --study: training labels per budget, comma-separated, all = every example',
    )
    .option('--seeds <n>', 'with --study: seeds (label draws) per budget, 2..50 (default 5)')
    .option('--headline <n>', 'with --study: the budget the verdict is about (default: the closest to 200)')
    .option(
      '--arms <list>',
      'with --study: arms to run (pretrained always; scratch, naive_bayes, logistic_regression)',
    )
    .option('--scratch-lr <x>', 'with --study: peak learning rate of the from-scratch arm')
    .option('--name <name>', 'with --study: REPORT model to register under (default <base>-<dataset>-study)')
    .action((baseModel: string, options) =>
      run((client, out) => createTrigger(client, out, baseModel, options)),
    );
  addRunSpecOptions(
    triggers
      .command('adapt <base-model>')
      .description(
        'continue pre-training every matching checkpoint of BASE-MODEL on --shards (domain or task ' +
          'adaptation): one run per checkpoint, registered under --model; put triggers on --model to ' +
          'fine-tune or study the adapted checkpoints',
      )
      .option('--on <condition>', 'every (checkpoint), final, alias:NAME or tag:NAME', 'final'),
    'adapt',
  ).action((baseModel: string, options) =>
    run((client, out) => createAdaptationTrigger(client, out, baseModel, options)),
  );
  triggers
    .command('ls [base-model]')
    .description('triggers, oldest first')
    .action((baseModel: string | undefined) => run((client, out) => listTriggers(client, out, baseModel)));
  triggers
    .command('rm <id>')
    .description('delete a trigger (jobs it created stay)')
    .action((id: string) => run((client, out) => deleteTrigger(client, out, id)));

  program
    .command('classify <model> <texts...>')
    .description(`labels and probabilities of texts with a FINETUNED_MODEL (${REF_HELP})`)
    .action((model: string, texts: string[]) =>
      run((client, out) => classifyTexts(client, out, model, texts)),
    );
  program
    .command('fill-mask <model> <text>')
    .description(`most probable tokens at each [MASK] of a text, with a BASE_MODEL (${REF_HELP})`)
    .option('--top-k <n>', 'candidates per mask (default 5)')
    .action((model: string, text: string, options) =>
      run((client, out) => fillMask(client, out, model, text, options)),
    );
}
