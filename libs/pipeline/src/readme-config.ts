import { finetuneConfigSpec, finetuneWorkerConfigSpec } from '@headstart/finetune';
import { ingestConfigSpec } from '@headstart/ingest';
import { pretrainConfigSpec, pretrainWorkerConfigSpec } from '@headstart/pretrain';
import { registryConfigSpec } from '@headstart/registry';
import { CONFIG_TABLE_HEADER, describeConfig, type ConfigSpec } from '@headstart/service-kit';

import { pipelineConfigSpec } from './config';

/** Every process's environment, in the order the README lists them. */
const SECTIONS: ReadonlyArray<{ title: string; spec: ConfigSpec }> = [
  { title: 'Main job (`make demo`)', spec: pipelineConfigSpec },
  { title: 'registry (`services/registry`)', spec: registryConfigSpec },
  { title: 'ingest (`services/ingest`)', spec: ingestConfigSpec },
  { title: 'pretrain API (`services/pretrain`, `dist/main.js`)', spec: pretrainConfigSpec },
  { title: 'pretrain worker (`services/pretrain`, `dist/worker.js`)', spec: pretrainWorkerConfigSpec },
  { title: 'finetune API (`services/finetune`, `dist/main.js`)', spec: finetuneConfigSpec },
  { title: 'finetune worker (`services/finetune`, `dist/worker.js`)', spec: finetuneWorkerConfigSpec },
];

export const CONFIG_TABLE_START = '<!-- config-table:start -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

/** The README's configuration section, rendered from the specs the processes validate at start. */
export function renderConfigTables(): string {
  return SECTIONS.map(
    ({ title, spec }) => `### ${title}\n\n${CONFIG_TABLE_HEADER}\n${describeConfig(spec)}`,
  ).join('\n\n');
}

/** `readme` with the text between the config-table markers replaced by the current tables. */
export function withConfigTables(readme: string): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`README has no ${CONFIG_TABLE_START} ... ${CONFIG_TABLE_END} section`);
  return `${readme.slice(0, start + CONFIG_TABLE_START.length)}\n\n${renderConfigTables()}\n\n${readme.slice(end)}`;
}
