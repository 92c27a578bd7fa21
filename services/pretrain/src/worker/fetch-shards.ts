// The run's shards on local disk, downloaded once per version into a cache shared by the worker's runs.
// The download is verified against the registry's digest and renamed into place only when complete.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { common, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';

export interface FetchedShards {
  version: registry.ModelVersion;
  path: string;
}

export async function fetchShards(
  client: RegistryClient,
  ref: common.VersionRef,
  cacheDir: string,
): Promise<FetchedShards> {
  const version = await client.getVersion(ref);
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, `${version.id}.shards`);
  try {
    await access(path);
  } catch {
    await client.downloadArtifact(ref, path);
  }
  return { version, path };
}
