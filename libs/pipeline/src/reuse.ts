// Re-runs reuse what an earlier run with the same inputs produced: each output is tagged with a digest of
// its inputs, and a stage looks for a version carrying its tag before doing the work again.
import { createHash } from 'node:crypto';

import { Code, isHeadstartError } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';

/** `pipeline-<16 hex>`: a registry tag naming the inputs of a stage. */
export function inputsTag(stage: string, inputs: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify({ stage, inputs })).digest('hex');
  return `pipeline-${digest.slice(0, 16)}`;
}

/** The newest version of `modelName` tagged `tag`, if any (none when the model does not exist yet). */
export async function findTagged(
  client: RegistryClient,
  modelName: string,
  tag: string,
): Promise<registry.ModelVersion | undefined> {
  let newest: registry.ModelVersion | undefined;
  try {
    for await (const version of client.searchVersions({ modelName, tag })) {
      if (!newest || version.version > newest.version) newest = version;
    }
  } catch (err) {
    if (!isHeadstartError(err, Code.NOT_FOUND)) throw err;
  }
  return newest;
}

/** `name:version`, as people and the CLI write a version. */
export function label(version: Pick<registry.ModelVersion, 'modelName' | 'version'>): string {
  return `${version.modelName}:${version.version}`;
}
