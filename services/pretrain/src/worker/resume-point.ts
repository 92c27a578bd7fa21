// Where an attempt starts: the newest complete checkpoint of the run, local or registered. A local
// checkpoint newer than anything registered (the worker died between writing and registering) is used
// and registered by the caller; when the local disk has nothing (a new pod), the newest registered one is
// downloaded. A local file that fails its digests is deleted and the next one tried.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { versionRef } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { Checkpoint } from '@headstart/checkpoint';
import { readCheckpoint } from '@headstart/checkpoint';
import { checkpointFileName, listCheckpoints } from '../checkpoint/local-checkpoints';
import { latestRegisteredCheckpoint } from '../registry/register-checkpoint';

export interface ResumePoint {
  checkpoint: Checkpoint;
  path: string;
  /** The registry version of this checkpoint; undefined when it is not registered yet. */
  version: registry.ModelVersion | undefined;
}

export interface FindResumePointOptions {
  client: RegistryClient;
  modelName: string;
  runId: string;
  checkpointsDir: string;
  logger: Logger;
}

export async function findResumePoint(options: FindResumePointOptions): Promise<ResumePoint | undefined> {
  const { client, modelName, runId, checkpointsDir, logger } = options;
  const registered = await latestRegisteredCheckpoint(client, modelName, runId);
  const registeredStep = registered ? Number(registered.metadata.step) : -1;
  for (const local of (await listCheckpoints(checkpointsDir)).reverse()) {
    if (local.step < registeredStep) break;
    try {
      const checkpoint = await readCheckpoint(local.path);
      if (checkpoint.state.runId !== runId) throw new Error(`it belongs to run ${checkpoint.state.runId}`);
      return {
        checkpoint,
        path: local.path,
        version: local.step === registeredStep ? registered : undefined,
      };
    } catch (err) {
      logger.warn({ path: local.path, err: String(err) }, 'unusable local checkpoint deleted');
      await rm(local.path, { force: true });
    }
  }
  if (!registered) return undefined;
  const path = join(checkpointsDir, checkpointFileName(registeredStep));
  await mkdir(checkpointsDir, { recursive: true });
  await client.downloadArtifact(versionRef(registered.modelName, registered.version), path);
  return { checkpoint: await readCheckpoint(path), path, version: registered };
}
