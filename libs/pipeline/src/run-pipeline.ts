import * as path from 'node:path';

import type { Logger } from '@headstart/service-kit';

import { startLocalStack } from './local-stack';
import { registerShippedData } from './stages/register-shipped-data';

export interface PipelineOptions {
  home: string;
  natsUrl?: string | undefined;
  logger: Logger;
}

/**
 * Runs every stage that exists today and returns a report for people. Stages still to come (ingest's
 * tokenizer and shards, pre-training, triggered fine-tuning) are named in the report as not run.
 */
export async function runPipeline(options: PipelineOptions): Promise<string> {
  const { home, logger } = options;
  const stack = await startLocalStack({ home, natsUrl: options.natsUrl, logger });
  try {
    const shipped = await registerShippedData(stack.registry, path.join(home, 'data'), logger);
    const byAlias = await stack.registry.getVersion('english-corpus@shipped');
    const models = [];
    for await (const model of stack.registry.listModels({})) models.push(model);
    return [
      'Headstart main job',
      `  registry ${stack.registryAddress}, NATS ${stack.natsUrl}, files under ${home}`,
      `  registered english-corpus:${shipped.corpus.version} (${shipped.corpus.artifactSize} bytes, sha256 ${shipped.corpus.artifactSha256.slice(0, 12)})`,
      `  registered spam-assassin:${shipped.task.version} (${shipped.task.artifactSize} bytes)`,
      `  looked up english-corpus@shipped -> version ${byAlias.version} (${byAlias.id})`,
      `  models in the registry: ${models.map((m) => m.name).join(', ')}`,
    ].join('\n');
  } finally {
    await stack.shutdown();
  }
}
