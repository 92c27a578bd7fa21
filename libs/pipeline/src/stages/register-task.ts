// Stage 4: the labelled tasks as DATASET versions, JSONL with the `text`, `label` and `split`
// (train | dev | test) fields the finetune service reads by default.
import { hashFile, type RegistryClient } from '@headstart/registry-client';
import type { registry } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';

import { findTagged, inputsTag, label } from '../reuse';

export interface RegisteredTask {
  task: registry.ModelVersion;
  reused: boolean;
}

/** What the registry says about each shipped task. */
const TASK_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'spam-assassin': 'SpamAssassin spam/ham, Subject + body (headers dropped), stratified train/dev/test.',
  'dictionary-domains':
    'GCIDE definitions labelled with their subject domain (zoology, botany, law, music, …), 700 per class, stratified train/dev/test.',
};

export async function registerTask(
  client: RegistryClient,
  taskFile: string,
  modelName: string,
  logger: Logger,
): Promise<RegisteredTask> {
  const { sha256 } = await hashFile(taskFile);
  const tag = inputsTag('task', { sha256 });
  const found = await findTagged(client, modelName, tag);
  if (found) {
    logger.info({ version: label(found) }, 'task: reusing the version registered earlier from the same file');
    return { task: found, reused: true };
  }
  const { version } = await client.createVersion(
    {
      modelName,
      kind: 'dataset',
      modelDescription: TASK_DESCRIPTIONS[modelName] ?? `Labelled task ${modelName}.`,
      description: 'Labelled task: text, label, split (train | dev | test).',
      metadata: { format: 'jsonl', text_field: 'text', label_field: 'label', split_field: 'split' },
      tags: [tag, 'shipped'],
      idempotencyKey: `pipeline-task:${sha256}`,
    },
    taskFile,
  );
  logger.info({ version: label(version) }, 'task: registered');
  return { task: version, reused: false };
}
