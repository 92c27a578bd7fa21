// The shards' unigram baseline: download the shards version (kept under the work directory) and count.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import type { registry } from '@headstart/proto';
import { hashFile, type RegistryClient } from '@headstart/registry-client';
import { openShards } from '@headstart/shards';

import { unigramStats, type UnigramStats } from './unigram';

export async function shardsBaseline(
  client: RegistryClient,
  shards: registry.ModelVersion,
  workDir: string,
): Promise<UnigramStats> {
  const file = path.join(workDir, `${shards.modelName}-${shards.version}.shards`);
  const cached = await hashFile(file).catch(() => undefined);
  if (cached?.sha256 !== shards.artifactSha256) {
    await fs.mkdir(workDir, { recursive: true });
    await client.downloadArtifact(
      { name: shards.modelName, selector: { $case: 'version', version: shards.version } },
      file,
    );
  }
  const data = await openShards(file);
  return unigramStats(
    data.train.tokens,
    data.validation.tokens,
    data.meta.vocabSize,
    Object.values(data.meta.specialTokens),
  );
}
