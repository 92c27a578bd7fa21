// The weights a continued run starts from (its spec's `continue_from`): the base checkpoint downloaded
// once per version into the worker's cache, as the shards are, and read back with its digests checked.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BertModel } from '@headstart/model';
import type { common } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { readCheckpoint } from '@headstart/checkpoint';

/** The base's model (the caller owns it), or undefined for a run from random weights. */
export async function loadBaseModel(
  deps: { client: RegistryClient; dataDir: string },
  ref: common.VersionRef | undefined,
): Promise<BertModel | undefined> {
  if (!ref) return undefined;
  const version = await deps.client.getVersion(ref);
  const dir = join(deps.dataDir, 'pretrain', 'bases');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${version.id}.tar`);
  try {
    await access(path);
  } catch {
    await deps.client.downloadArtifact(ref, path);
  }
  return (await readCheckpoint(path)).loadModel();
}
