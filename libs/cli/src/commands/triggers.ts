// `headstart triggers create|ls|rm`.
import { Code, HeadstartError } from '@headstart/errors';
import {
  formatTriggerCondition,
  parseTriggerCondition,
  type FinetuneClient,
  type TriggerConditionInput,
  type TriggerInput,
} from '@headstart/finetune-client';
import { finetune } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { formatTime } from '../format';
import type { Output } from '../output';
import { toSpecInput, type SpecOptions } from './finetune-spec-options';
import { startRunRequest, type StartRunOptions } from './pretrain-options';
import { toStudyInputWithoutBase, type StartStudyOptions } from './study-options';

const triggerJson = (t: finetune.Trigger): unknown => finetune.Trigger.toJSON(t);

export interface CreateTriggerOptions extends SpecOptions {
  /** every | final | alias:NAME | tag:NAME */
  on?: string;
  /** Start a transfer study of each matching checkpoint instead of a fine-tune. */
  study?: boolean;
  /** The study options (with --study only). */
  budgets?: string;
  seeds?: string;
  headline?: string;
  arms?: string;
  scratchLr?: string;
  name?: string;
}

/** Options of a fine-tune that a study does not take (it sets its own seeds, budgets and outputs). */
const FINETUNE_ONLY: ReadonlyArray<[keyof CreateTriggerOptions, string]> = [
  ['output', 'output'],
  ['fromScratch', 'from-scratch'],
  ['maxSteps', 'max-steps'],
  ['batchSize', 'batch-size'],
  ['maxLength', 'max-length'],
  ['warmupSteps', 'warmup-steps'],
  ['warmupRatio', 'warmup-ratio'],
  ['weightDecay', 'weight-decay'],
  ['evalEvery', 'eval-every'],
  ['patience', 'patience'],
  ['metric', 'metric'],
  ['seed', 'seed'],
  ['dropout', 'dropout'],
  ['layerLrDecay', 'layer-lr-decay'],
  ['labelBudget', 'label-budget'],
  ['alias', 'alias'],
];

const STUDY_ONLY: ReadonlyArray<[keyof CreateTriggerOptions, string]> = [
  ['budgets', 'budgets'],
  ['seeds', 'seeds'],
  ['headline', 'headline'],
  ['arms', 'arms'],
  ['scratchLr', 'scratch-lr'],
  ['name', 'name'],
];

function refuse(message: string, field: string): HeadstartError {
  return new HeadstartError(Code.INVALID_ARGUMENT, message, { details: { field } });
}

/** The trigger the options describe: a fine-tune's, or with --study a study's. */
export function toTriggerInput(baseModel: string, options: CreateTriggerOptions): TriggerInput {
  const common = { baseModel, ...parseOn(options.on ?? 'every') };
  const given = ([key]: [keyof CreateTriggerOptions, string]) =>
    options[key] !== undefined && options[key] !== false;
  if (options.study !== true) {
    const studyOnly = STUDY_ONLY.find(given);
    if (studyOnly) throw refuse(`--${studyOnly[1]} is a study option: add --study`, studyOnly[1]);
    return { ...common, spec: toSpecInput(options) };
  }
  const finetuneOnly = FINETUNE_ONLY.find(given);
  if (finetuneOnly) {
    throw refuse(
      `--${finetuneOnly[1]} does not apply to a study trigger (--study): a study takes --dataset, the data ` +
        'fields, --lr, --scratch-lr, --epochs, --min-steps, --pooling, --budgets, --seeds, --headline, --arms, --name, ' +
        '--description and --tag',
      finetuneOnly[1],
    );
  }
  const studyOptions: StartStudyOptions = options;
  return { ...common, study: toStudyInputWithoutBase(options.dataset, studyOptions) };
}

/** `every`, `final`, `alias:prod`, `tag:good` → condition and its argument. */
export function parseOn(on: string): { on: TriggerConditionInput; alias?: string; tag?: string } {
  const cut = on.indexOf(':');
  const kind = cut < 0 ? on : on.slice(0, cut);
  const arg = cut < 0 ? '' : on.slice(cut + 1);
  if ((kind === 'every' || kind === 'final') && cut < 0) return { on: kind };
  if (kind === 'alias' && arg !== '') return { on: 'alias', alias: arg };
  if (kind === 'tag' && arg !== '') return { on: 'tag', tag: arg };
  throw new HeadstartError(
    Code.INVALID_ARGUMENT,
    `--on must be every, final, alias:NAME or tag:NAME, got "${on}"`,
    {
      details: { field: 'on' },
    },
  );
}

/** What a trigger makes: a fine-tuned model, a study's report or an adapted base. */
function output(t: finetune.Trigger): string {
  if (t.adaptation) return `${t.adaptation.modelName} (adaptation)`;
  if (t.study) return `${t.study.reportModelName || '-'} (study)`;
  return `${t.spec?.outputModelName ?? '-'}${t.spec?.fromScratch ? ' (scratch)' : ''}`;
}

function row(t: finetune.Trigger): string[] {
  const dataset = t.study?.dataset ?? t.spec?.dataset;
  const shards = t.adaptation?.shards ?? t.adaptation?.mixture[0]?.shards;
  const input = dataset ?? shards;
  return [
    t.id,
    t.baseModelName,
    formatTriggerCondition(t),
    input ? formatVersionRef(input) : '-',
    output(t),
    String(t.firedCount),
    formatTime(t.createdAt),
  ];
}

const COLUMNS = [
  { header: 'trigger' },
  { header: 'base model' },
  { header: 'on' },
  { header: 'dataset' },
  { header: 'output' },
  { header: 'fired', align: 'right' as const },
  { header: 'created' },
];

export async function createTrigger(
  client: FinetuneClient,
  out: Output,
  baseModel: string,
  options: CreateTriggerOptions,
): Promise<void> {
  const trigger = await client.createTrigger(toTriggerInput(baseModel, options));
  out.result(
    () => ({ trigger: triggerJson(trigger) }),
    () => out.table(COLUMNS, [row(trigger)]),
  );
}

/** `headstart triggers adapt BASE`: an adaptation trigger, the run described as for `pretrain start`. */
export async function createAdaptationTrigger(
  client: FinetuneClient,
  out: Output,
  baseModel: string,
  options: StartRunOptions & { on?: string },
): Promise<void> {
  const on = parseOn(options.on ?? 'final');
  const { spec } = startRunRequest(options);
  const trigger = await client.createTrigger(
    finetune.Trigger.fromPartial({
      baseModelName: baseModel,
      condition: parseTriggerCondition(on.on),
      alias: on.alias ?? '',
      tag: on.tag ?? '',
      // The adapted model keeps its base's architecture: no model config at all.
      adaptation: spec ? { ...spec, model: undefined } : undefined,
    }),
  );
  out.result(
    () => ({ trigger: triggerJson(trigger) }),
    () => out.table(COLUMNS, [row(trigger)]),
  );
}

export async function listTriggers(
  client: FinetuneClient,
  out: Output,
  baseModel: string | undefined,
): Promise<void> {
  const triggers = await client.listTriggers(baseModel);
  out.result(
    () => ({ triggers: triggers.map(triggerJson) }),
    () => (triggers.length === 0 ? 'no triggers\n' : out.table(COLUMNS, triggers.map(row))),
  );
}

export async function deleteTrigger(client: FinetuneClient, out: Output, id: string): Promise<void> {
  await client.deleteTrigger(id);
  out.result(
    () => ({ deleted: id }),
    () => `deleted trigger ${id}\n`,
  );
}
