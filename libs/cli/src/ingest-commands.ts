import type { Command } from 'commander';
import type { IngestClient } from '@headstart/ingest-client';
import { collectRepeated } from './args';
import { corpusFromDataset, uploadCorpus } from './commands/corpus';
import { cancelJob, getJob, listJobs, watchJob } from './commands/jobs';
import { tokenize, trainTokenizer } from './commands/tokenizer';
import type { Output } from './output';

export type IngestAction = (client: IngestClient, out: Output) => Promise<void>;

const REF_HELP = 'NAME (latest), NAME:VERSION or NAME@ALIAS';

/** The ingest service's commands: corpus upload, tokenizer train, tokenize, jobs. */
export function addIngestCommands(program: Command, run: (action: IngestAction) => Promise<void>): void {
  const corpus = program.command('corpus').description('text corpora (DATASET versions) for pre-training');
  corpus
    .command('upload <file>')
    .description('validate, deduplicate and split a corpus file, then register it (gzip detected)')
    .requiredOption('--name <name>', 'dataset to register it under')
    .option(
      '--format <format>',
      'text (blank-line separated documents), lines (one per line) or jsonl',
      'text',
    )
    .option('--text-field <field>', 'jsonl: the field holding the text (default text)')
    .option(
      '--split-field <field>',
      'jsonl: a field saying "train" or "validation" (instead of a seeded split)',
    )
    .option('--validation-fraction <x>', 'fraction of documents for validation (default 0.05)')
    .option('--seed <n>', 'seed of the validation split (default 0)')
    .option('--compression <c>', 'auto, none or gzip', 'auto')
    .option('--max-line-bytes <n>', 'longest line accepted (default 4 MiB)')
    .option('--description <text>', 'description of the version')
    .option('--tag <tag>', 'tag the version (repeatable)', collectRepeated)
    .option('--idempotency-key <key>', 'a retry with the same key returns the version already registered')
    .action((file: string, options) => run((client, out) => uploadCorpus(client, out, file, options)));
  corpus
    .command('from-dataset <dataset>')
    .description(
      `a labelled dataset's texts (${REF_HELP}) as a corpus derived_from it, e.g. a task's train split ` +
        'for task-adaptive pre-training; the same inputs give the same version',
    )
    .option('--split <split>', "take this split's texts (repeatable; default train)", collectRepeated)
    .option(
      '--force',
      'allow evaluation splits (dev, test, validation...) or every row of a dataset without a split field; ' +
        'the corpus records includes_eval_splits',
    )
    .option('--name <name>', 'dataset to register the corpus under (default: DATASET-text)')
    .option(
      '--text-field <field>',
      "the field holding the text (default: the dataset's text_field, else text)",
    )
    .option(
      '--split-field <field>',
      "the field holding the split (default: the dataset's split_field, else split)",
    )
    .option(
      '--validation-fraction <x>',
      "fraction of the corpus's documents for its validation split (default 0.05)",
    )
    .option('--seed <n>', 'seed of that validation split (default 0)')
    .option('--description <text>', 'description of the version')
    .option('--tag <tag>', 'tag the version (repeatable)', collectRepeated)
    .action((dataset: string, options) =>
      run((client, out) => corpusFromDataset(client, out, dataset, options)),
    );

  const tokenizer = program.command('tokenizer').description('tokenizers (TOKENIZER versions)');
  tokenizer
    .command('train <dataset>')
    .description(`train a tokenizer on a corpus's training split (${REF_HELP}) and follow the job`)
    .requiredOption('--name <name>', 'tokenizer to register it under')
    .option('--type <type>', 'wordpiece or bpe (byte-level)', 'wordpiece')
    .option('--vocab-size <n>', 'vocabulary size, special tokens included', '30000')
    .option('--min-frequency <n>', 'times a pair must be seen to be merged (default 2)')
    .option(
      '--special-tokens <list>',
      'comma-separated (default [PAD],[UNK],[CLS],[SEP],[MASK] for wordpiece)',
    )
    .option('--lowercase', 'lowercase the text (default for wordpiece)')
    .option('--no-lowercase', 'keep the case (default for bpe)')
    .option('--strip-accents', 'strip accents (default: as --lowercase)')
    .option('--no-strip-accents', 'keep accents')
    .option('--unicode <form>', 'unicode normalization first: nfc, nfd, nfkc or nfkd')
    .option('--description <text>', 'description of the version')
    .option('--tag <tag>', 'tag the version (repeatable)', collectRepeated)
    .option('--detach', 'print the job id and return at once')
    .action((dataset: string, options) =>
      run((client, out) => trainTokenizer(client, out, dataset, options)),
    );

  program
    .command('tokenize <dataset> <tokenizer>')
    .description(`tokenize a corpus into token shards with a tokenizer (${REF_HELP}) and follow the job`)
    .requiredOption('--name <name>', 'dataset to register the shards under')
    .option('--description <text>', 'description of the version')
    .option('--tag <tag>', 'tag the version (repeatable)', collectRepeated)
    .option('--detach', 'print the job id and return at once')
    .action((dataset: string, tokenizerRef: string, options) =>
      run((client, out) => tokenize(client, out, dataset, tokenizerRef, options)),
    );

  const jobs = program.command('jobs').description('ingest jobs (tokenizer training, tokenization)');
  jobs
    .command('get <id>')
    .description('show a job')
    .action((id: string) => run((client, out) => getJob(client, out, id)));
  jobs
    .command('watch <id>')
    .description('follow a job until it ends (exit status: 0 only if it succeeded)')
    .action((id: string) => run((client, out) => watchJob(client, out, id)));
  jobs
    .command('cancel <id>')
    .description('cancel a queued or running job (nothing is registered)')
    .action((id: string) => run((client, out) => cancelJob(client, out, id)));
  jobs
    .command('ls')
    .description('jobs, newest first')
    .option('--state <state>', 'queued, running, succeeded, failed or cancelled')
    .option('--limit <n>', 'at most this many', '50')
    .action((options) => run((client, out) => listJobs(client, out, options)));
}
