// The spec options `finetune start` and `triggers create` share, and their translation to a spec input.
import { Code, HeadstartError } from '@headstart/errors';
import type { EarlyStoppingMetricInput, FinetuneSpecInput } from '@headstart/finetune-client';
import type { Command } from 'commander';
import { collectRepeated, parseCount } from '../args';
import { parsePoolingName } from './study-options';

export interface SpecOptions {
  dataset: string;
  output?: string;
  fromScratch?: boolean;
  lr?: string;
  epochs?: string;
  maxSteps?: string;
  batchSize?: string;
  maxLength?: string;
  warmupSteps?: string;
  warmupRatio?: string;
  weightDecay?: string;
  evalEvery?: string;
  patience?: string;
  metric?: string;
  seed?: string;
  dropout?: string;
  pooling?: string;
  layerLrDecay?: string;
  minSteps?: string;
  textField?: string;
  labelField?: string;
  splitField?: string;
  trainSplit?: string;
  devSplit?: string;
  testSplit?: string;
  labelBudget?: string;
  description?: string;
  tag?: string[];
  alias?: string[];
}

/** Adds the dataset, hyper-parameter and output options to a command. */
export function addSpecOptions(command: Command): Command {
  return command
    .requiredOption('--dataset <ref>', 'labelled DATASET version (JSONL or CSV), NAME[:VERSION|@ALIAS]')
    .option('--output <name>', 'model to register the result under (default <base>-<dataset>)')
    .option('--from-scratch', 'the control run: same architecture and budget from random weights')
    .option('--lr <x>', 'peak learning rate (default 1e-3; 5e-4 from scratch)')
    .option('--epochs <n>', 'passes over the training examples (default 5; more when --min-steps needs them)')
    .option('--max-steps <n>', 'stop after this many steps (default: no limit)')
    .option('--batch-size <n>', 'examples per step (default 16)')
    .option('--max-length <n>', "tokens per text (default: the base model's, at most 128)")
    .option('--warmup-steps <n>', 'linear warmup steps (default: --warmup-ratio of all steps)')
    .option('--warmup-ratio <x>', 'share of the steps used for warmup (default 0.1)')
    .option('--weight-decay <x>', 'AdamW weight decay (default 0.01)')
    .option(
      '--eval-every <n>',
      'evaluate on dev every n steps (default: once per epoch, at most about 20 times a run)',
    )
    .option(
      '--patience <n>',
      'early stopping after n evaluations without improvement, 0: off (default 0: the whole schedule)',
    )
    .option(
      '--metric <m>',
      'metric that picks the best dev evaluation (and early stopping): loss, accuracy or macro_f1 (default accuracy)',
    )
    .option('--seed <n>', 'seed of the head, data order, dropout and label budget (default 0)')
    .option('--dropout <x>', "dropout while fine-tuning (default: the base model's)")
    .option('--pooling <p>', "what the head pools: mean (over the tokens) or cls (default: the service's)")
    .option(
      '--layer-lr-decay <x>',
      "layer-wise learning-rate decay in (0, 1], 1: the same rate for every layer (default: the service's; 1 from scratch)",
    )
    .option(
      '--min-steps <n>',
      "at least this many optimizer steps, adding epochs when labels are few; 0: epochs alone (default: the service's)",
    )
    .option('--text-field <f>', 'field with the text (default text)')
    .option('--label-field <f>', 'field with the label (default label)')
    .option('--split-field <f>', 'field with the split (default split; none: a seeded 80/10/10 split)')
    .option('--train-split <s>', 'training split name (default train)')
    .option('--dev-split <s>', 'dev split name (default dev)')
    .option('--test-split <s>', 'test split name (default test)')
    .option('--label-budget <k>', 'use only the first k training examples (seeded, stratified)')
    .option('--description <text>', 'description of the registered version')
    .option('--tag <tag>', 'tag the registered version (repeatable)', collectRepeated)
    .option('--alias <alias>', 'point this alias at the registered version (repeatable)', collectRepeated);
}

function parseNumber(text: string, field: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `--${field} must be a finite number, got "${text}"`, {
      details: { field },
    });
  }
  return value;
}

/** A layer-wise learning-rate decay: in (0, 1]. */
function parseDecay(text: string, field: string): number {
  const value = parseNumber(text, field);
  if (value <= 0 || value > 1) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `--${field} must be in (0, 1] (1: the same rate for every layer), got "${text}"`,
      { details: { field } },
    );
  }
  return value;
}

const optional = <T>(value: string | undefined, parse: (text: string) => T): T | undefined =>
  value === undefined ? undefined : parse(value);

export function toSpecInput(options: SpecOptions): Omit<FinetuneSpecInput, 'base'> {
  const int = (field: string) => (text: string) => parseCount(text, field);
  const num = (field: string) => (text: string) => parseNumber(text, field);
  const input: Omit<FinetuneSpecInput, 'base'> = {
    dataset: options.dataset,
    output: options.output,
    fromScratch: options.fromScratch === true,
    learningRate: optional(options.lr, num('lr')),
    epochs: optional(options.epochs, int('epochs')),
    maxSteps: optional(options.maxSteps, int('max-steps')),
    batchSize: optional(options.batchSize, int('batch-size')),
    maxLength: optional(options.maxLength, int('max-length')),
    warmupSteps: optional(options.warmupSteps, int('warmup-steps')),
    warmupRatio: optional(options.warmupRatio, num('warmup-ratio')),
    weightDecay: optional(options.weightDecay, num('weight-decay')),
    evalEvery: optional(options.evalEvery, int('eval-every')),
    patience: optional(options.patience, int('patience')),
    metric: options.metric as EarlyStoppingMetricInput | undefined,
    seed: optional(options.seed, int('seed')),
    dropout: optional(options.dropout, num('dropout')),
    pooling: optional(options.pooling, parsePoolingName),
    layerLrDecay: optional(options.layerLrDecay, (t) => parseDecay(t, 'layer-lr-decay')),
    minSteps: optional(options.minSteps, int('min-steps')),
    textField: options.textField,
    labelField: options.labelField,
    splitField: options.splitField,
    trainSplit: options.trainSplit,
    devSplit: options.devSplit,
    testSplit: options.testSplit,
    labelBudget: optional(options.labelBudget, int('label-budget')),
    description: options.description,
    tags: options.tag,
    aliases: options.alias,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as typeof input;
}
