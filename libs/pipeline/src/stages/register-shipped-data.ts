import * as path from 'node:path';

import { buildShippedData, PRETRAIN_CORPUS_FILE, SPAM_ASSASSIN_FILE } from '@headstart/datasets';
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';

export interface ShippedDataVersions {
  corpus: registry.ModelVersion;
  task: registry.ModelVersion;
}

/**
 * Builds the shipped data (instant when already built) and registers the pre-training corpus and the
 * labelled task as DATASET versions. A re-run finds the same bytes under the same idempotency key and
 * gets the versions it registered before instead of new ones.
 */
export async function registerShippedData(
  client: RegistryClient,
  dataDir: string,
  logger: Logger,
): Promise<ShippedDataVersions> {
  const manifest = await buildShippedData({ outDir: dataDir, logger });
  const upload = async (file: string, modelName: string, description: string) => {
    const entry = manifest.files[file];
    if (!entry) throw new Error(`the shipped-data manifest has no entry for ${file}`);
    const { version, deduplicated } = await client.createVersion(
      {
        modelName,
        kind: 'dataset',
        modelDescription: description,
        description: entry.description,
        metadata: { file, format: 'jsonl', builder: manifest.builder.name, seed: String(manifest.seed) },
        metrics: { documents: entry.documents, bytes: entry.bytes },
        tags: ['shipped'],
        idempotencyKey: `shipped:${entry.sha256}`,
        aliases: ['shipped'],
      },
      path.join(dataDir, file),
    );
    logger.info({ model: modelName, version: version.version, deduplicated }, 'registered shipped dataset');
    return version;
  };
  const corpus = await upload(
    PRETRAIN_CORPUS_FILE,
    'english-corpus',
    'English pre-training corpus: State of the Union, Moby Dick, Brown corpus.',
  );
  const task = await upload(SPAM_ASSASSIN_FILE, 'spam-assassin', 'SpamAssassin spam/ham, Subject + body.');
  return { corpus, task };
}
