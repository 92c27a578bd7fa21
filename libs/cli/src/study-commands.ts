// The `study` command group's command-line surface (options and help); the work is in ./commands/study*.
import type { FinetuneClient } from '@headstart/finetune-client';
import type { RegistryClient } from '@headstart/registry-client';
import type { Command } from 'commander';
import { collectRepeated } from './args';
import { cancelStudy, followStudy, getStudy, listStudies, startStudy } from './commands/study';
import { studyReport } from './commands/study-report';
import type { FinetuneAction } from './finetune-commands';
import type { Output } from './output';

/** `study report` needs both services: the study from the finetune service, its artifact from the registry. */
export type StudyReportAction = (
  finetune: FinetuneClient,
  registry: RegistryClient,
  out: Output,
) => Promise<void>;

const REF_HELP = 'NAME (latest), NAME:VERSION or NAME@ALIAS';

export function addStudyCommands(
  program: Command,
  run: (action: FinetuneAction) => Promise<void>,
  runWithRegistry: (action: StudyReportAction) => Promise<void>,
): void {
  const study = program
    .command('study')
    .description('transfer studies: does pre-training help on a task, and how many labels are needed?');
  study
    .command('start <base> <dataset>')
    .description(
      `queue a study of BASE (${REF_HELP}) on a labelled DATASET: the pre-trained and from-scratch arms ` +
        'and two bag-of-words baselines at each label budget and seed; prints its id (or follows it with --watch)',
    )
    .option(
      '--budgets <list>',
      'training labels per budget, comma-separated, all = every example (default 50,100,200,500,all, those the training split has)',
    )
    .option('--seeds <n>', 'seeds (label draws) per budget, 2..50 (default 5)')
    .option('--headline <n>', 'the budget the verdict is about (default: the closest to 200)')
    .option(
      '--arms <list>',
      'arms to run: pretrained (always) and any of scratch, naive_bayes, logistic_regression (default: all)',
    )
    .option('--text-field <f>', 'field with the text (default text)')
    .option('--label-field <f>', 'field with the label (default label)')
    .option('--split-field <f>', 'field with the split (default split; none: a seeded 80/10/10 split)')
    .option('--train-split <s>', 'training split name (default train)')
    .option('--dev-split <s>', 'dev split name (default dev)')
    .option('--test-split <s>', 'test split name (default test)')
    .option('--lr <x>', 'peak learning rate of the pre-trained arm (default: the fine-tune default)')
    .option('--scratch-lr <x>', 'peak learning rate of the from-scratch arm (default: its fine-tune default)')
    .option('--epochs <n>', 'passes over the training examples, both arms (default 5)')
    .option('--min-steps <n>', "at least this many optimizer steps, both arms (default: the service's)")
    .option('--pooling <p>', "what the head pools, mean or cls, both arms (default: the service's)")
    .option('--name <name>', 'REPORT model to register the result under (default <base>-<dataset>-study)')
    .option('--description <text>', 'description of the report version')
    .option('--tag <tag>', 'tag the report version (repeatable)', collectRepeated)
    .option('--idempotency-key <key>', 'a retry with the same key returns the study already started')
    .option('--watch', 'follow the study until it ends (exit 0 only if it succeeded)')
    .action((base: string, dataset: string, options) =>
      run((client, out) => startStudy(client, out, base, dataset, options)),
    );
  study
    .command('watch <id>')
    .description(
      'follow a study: trials finished per arm, then the verdict and table (exit 0 only if it succeeded)',
    )
    .action((id: string) => run((client, out) => followStudy(client, out, id)));
  study
    .command('get <id>')
    .description('show a study: state, inputs, verdict, the report table and every trial')
    .action((id: string) => run((client, out) => getStudy(client, out, id)));
  study
    .command('ls')
    .description('studies, newest first')
    .option('--state <state>', 'queued, running, succeeded, failed or cancelled')
    .option('--base <name>', 'studies of this base model')
    .option('--limit <n>', 'at most this many', '50')
    .action((options) => run((client, out) => listStudies(client, out, options)));
  study
    .command('cancel <id>')
    .description('cancel every unfinished trial (the study ends cancelled, without a report)')
    .action((id: string) => run((client, out) => cancelStudy(client, out, id)));
  study
    .command('report <id>')
    .description("download a succeeded study's report (study.json, report.md, SVG figures) into a directory")
    .requiredOption('--out <dir>', 'directory to write the files into (created if missing)')
    .action((id: string, options) =>
      runWithRegistry((finetune, registry, out) => studyReport(finetune, registry, out, id, options)),
    );
}
