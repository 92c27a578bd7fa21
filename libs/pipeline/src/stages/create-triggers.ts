// Stage 5: two triggers on the base model's FINAL checkpoint — fine-tune the pre-trained weights on the
// task with a small label budget, and the same job from random weights (the control). Nothing in the
// pipeline starts a fine-tune: the registry's CheckpointRegistered event fires these.
// A re-run finds its triggers by the digest in their description; the pipeline's triggers with other
// settings are deleted, so an old configuration does not fire on the new checkpoint (their jobs stay).
import { finetune, type registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { FinetuneClient } from '@headstart/finetune-client';
import { label } from '../reuse';
import type { PipelineScale } from '../scale';

const PREFIX = 'headstart main job';

export interface PipelineTriggers {
  pretrained: finetune.Trigger;
  scratch: finetune.Trigger;
}

export interface TriggerInput {
  baseModelName: string;
  task: registry.ModelVersion;
  settings: PipelineScale['finetune'];
  /** A digest of the triggers' settings. */
  key: string;
  signal?: AbortSignal | undefined;
}

function triggerFor(input: TriggerInput, fromScratch: boolean): finetune.Trigger {
  const s = input.settings;
  const what = fromScratch ? 'from scratch (control)' : 'pre-trained';
  return finetune.Trigger.fromPartial({
    baseModelName: input.baseModelName,
    condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
    description: `${PREFIX} [${input.key}]: ${what}, ${s.labelBudget} labels of ${label(input.task)}`,
    spec: {
      dataset: { name: input.task.modelName, selector: { $case: 'version', version: input.task.version } },
      fromScratch,
      hyperparameters: {
        epochs: s.epochs,
        batchSize: s.batchSize,
        maxLength: s.maxLength,
        maxSteps: s.maxSteps,
        ...(s.minSteps !== undefined ? { minSteps: s.minSteps } : {}),
        earlyStoppingPatience: s.patience,
        seed: s.seed,
        ...(s.dropout !== undefined ? { dropout: s.dropout } : {}),
      },
      data: { labelBudget: s.labelBudget, budgetSeed: s.seed },
      description: `${what} fine-tune on ${s.labelBudget} labels (headstart main job)`,
      tags: ['pipeline', input.key],
    },
  });
}

export async function createTriggers(
  client: FinetuneClient,
  input: TriggerInput,
  logger: Logger,
): Promise<PipelineTriggers> {
  const options = input.signal ? { signal: input.signal } : {};
  const existing = await client.listTriggers(input.baseModelName, options);
  const ours = existing.filter((t) => t.description.startsWith(`${PREFIX} [`));
  const current = ours.filter((t) => t.description.includes(`[${input.key}]`));
  for (const stale of ours.filter((t) => !current.includes(t))) {
    await client.deleteTrigger(stale.id, options);
    logger.info(
      { trigger: stale.id, description: stale.description },
      'triggers: deleted a trigger of other settings',
    );
  }
  const find = (fromScratch: boolean) => current.find((t) => (t.spec?.fromScratch ?? false) === fromScratch);
  const ensure = async (fromScratch: boolean): Promise<finetune.Trigger> => {
    const found = find(fromScratch);
    if (found) {
      logger.info({ trigger: found.id, fired: found.firedCount }, `triggers: reusing "${found.description}"`);
      return found;
    }
    const created = await client.createTrigger(triggerFor(input, fromScratch), options);
    logger.info(
      { trigger: created.id, baseModel: input.baseModelName, on: 'final checkpoint' },
      `triggers: created "${created.description}"`,
    );
    return created;
  };
  return { pretrained: await ensure(false), scratch: await ensure(true) };
}
