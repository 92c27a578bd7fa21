// `headstart triggers create|ls|rm`.
import { Code, HeadstartError } from '@headstart/errors';
import {
  formatTriggerCondition,
  type FinetuneClient,
  type TriggerConditionInput,
} from '@headstart/finetune-client';
import { finetune } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import { formatTime } from '../format';
import type { Output } from '../output';
import { toSpecInput, type SpecOptions } from './finetune-spec-options';

const triggerJson = (t: finetune.Trigger): unknown => finetune.Trigger.toJSON(t);

export interface CreateTriggerOptions extends SpecOptions {
  /** every | final | alias:NAME | tag:NAME */
  on?: string;
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

function row(t: finetune.Trigger): string[] {
  const spec = t.spec;
  return [
    t.id,
    t.baseModelName,
    formatTriggerCondition(t),
    spec?.dataset ? formatVersionRef(spec.dataset) : '-',
    `${spec?.outputModelName ?? '-'}${spec?.fromScratch ? ' (scratch)' : ''}`,
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
  const trigger = await client.createTrigger({
    baseModel,
    ...parseOn(options.on ?? 'every'),
    spec: toSpecInput(options),
  });
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
