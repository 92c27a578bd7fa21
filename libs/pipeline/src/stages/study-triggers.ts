// Stage 5b: one trigger per shipped task on the base model's FINAL checkpoint that starts a transfer
// study (paired fine-tunes of the base and from random weights at each label budget and seed, beside
// bag-of-words baselines). Nothing in the pipeline starts a study: the checkpoint's event does.
// A re-run finds its triggers by the digest in their description; the pipeline's study triggers with
// other settings are deleted, so an old configuration does not fire on the new checkpoint.
import { finetune, type registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import type { FinetuneClient } from '@headstart/finetune-client';
import { label } from '../reuse';
import type { StudyScale } from '../scale';

const PREFIX = 'headstart main job study';

export interface StudyTriggerInput {
  baseModelName: string;
  /** Each task's registered DATASET and how to study it. */
  tasks: { name: string; dataset: registry.ModelVersion; study: StudyScale }[];
  /** A digest of the settings. */
  key: string;
  signal?: AbortSignal | undefined;
}

export interface StudyTrigger {
  task: string;
  trigger: finetune.Trigger;
}

function triggerFor(input: StudyTriggerInput, task: StudyTriggerInput['tasks'][number]): finetune.Trigger {
  const s = task.study;
  const hyperparameters = finetune.FinetuneHyperparameters.fromPartial(s.hyperparameters ?? {});
  return finetune.Trigger.fromPartial({
    baseModelName: input.baseModelName,
    condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
    description: `${PREFIX} [${input.key}] ${task.name}: ${s.seeds} seeds at ${s.budgets.join(', ')} labels of ${label(task.dataset)}`,
    study: {
      dataset: {
        name: task.dataset.modelName,
        selector: { $case: 'version', version: task.dataset.version },
      },
      labelBudgets: s.budgets,
      seeds: s.seeds,
      headlineBudget: s.headline ?? 0,
      pretrainedHyperparameters: hyperparameters,
      scratchHyperparameters: hyperparameters,
      description: `Transfer study of ${input.baseModelName} on ${task.name}`,
      tags: ['pipeline', input.key],
      arms: s.arms ? [...s.arms] : [],
    },
  });
}

export async function createStudyTriggers(
  client: FinetuneClient,
  input: StudyTriggerInput,
  logger: Logger,
): Promise<StudyTrigger[]> {
  const options = input.signal ? { signal: input.signal } : {};
  const existing = await client.listTriggers(input.baseModelName, options);
  const ours = existing.filter((t) => t.description.startsWith(`${PREFIX} [`));
  const current = ours.filter((t) => t.description.includes(`[${input.key}]`));
  for (const stale of ours.filter((t) => !current.includes(t))) {
    await client.deleteTrigger(stale.id, options);
    logger.info({ trigger: stale.id }, 'study triggers: deleted a trigger of other settings');
  }
  const triggers: StudyTrigger[] = [];
  for (const task of input.tasks) {
    const found = current.find((t) => t.description.includes(`] ${task.name}:`));
    const trigger = found ?? (await client.createTrigger(triggerFor(input, task), options));
    logger.info(
      { trigger: trigger.id, task: task.name, budgets: task.study.budgets, seeds: task.study.seeds },
      found ? 'study triggers: reusing' : 'study triggers: created, fires on the final checkpoint',
    );
    triggers.push({ task: task.name, trigger });
  }
  return triggers;
}
