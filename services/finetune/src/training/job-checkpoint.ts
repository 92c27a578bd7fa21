// A fine-tune's resumable state on the worker's disk: one tar per job (current weights, optimizer
// moments, best weights and the loop state), written to a temp file, fsynced and renamed over the old one,
// so a crash leaves either the previous checkpoint or the new one. A redelivered job on the same worker
// (or one sharing the data directory) resumes from it; elsewhere it starts again from step 0 with the same
// seed. The fingerprint ties a checkpoint to the job's exact inputs.
import { open, readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { packTar, unpackTar } from '@headstart/checkpoint';
import type { AdamWState, TensorRecords } from '@headstart/model';
import {
  deserializeAdamWState,
  loadSafetensors,
  saveSafetensors,
  serializeAdamWState,
} from '@headstart/model';
import type { LoopState } from './train-classifier';

const WEIGHTS = 'weights.safetensors';
const BEST = 'best.safetensors';
const OPTIMIZER = 'optimizer.safetensors';
const STATE = 'state.json';

export interface JobCheckpoint {
  state: LoopState;
  weights: TensorRecords;
  bestWeights: TensorRecords | undefined;
  optimizer: AdamWState;
}

interface StateFile {
  finetuneId: string;
  fingerprint: string;
  loop: LoopState;
}

export function checkpointPath(dir: string, finetuneId: string): string {
  return path.join(dir, `${finetuneId}.checkpoint.tar`);
}

export async function saveJobCheckpoint(
  dir: string,
  finetuneId: string,
  fingerprint: string,
  checkpoint: JobCheckpoint,
): Promise<void> {
  const state: StateFile = { finetuneId, fingerprint, loop: checkpoint.state };
  const entries = [
    { name: WEIGHTS, data: saveSafetensors(checkpoint.weights) },
    { name: OPTIMIZER, data: serializeAdamWState(checkpoint.optimizer) },
    ...(checkpoint.bestWeights ? [{ name: BEST, data: saveSafetensors(checkpoint.bestWeights) }] : []),
    { name: STATE, data: Buffer.from(JSON.stringify(state), 'utf8') },
  ];
  const file = checkpointPath(dir, finetuneId);
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(packTar(entries));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** The job's checkpoint, or undefined when there is none or it belongs to other inputs. */
export async function loadJobCheckpoint(
  dir: string,
  finetuneId: string,
  fingerprint: string,
): Promise<JobCheckpoint | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(checkpointPath(dir, finetuneId));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const entries = new Map(unpackTar(bytes).map((e) => [e.name, e.data]));
  const rawState = entries.get(STATE);
  const weights = entries.get(WEIGHTS);
  const optimizer = entries.get(OPTIMIZER);
  if (!rawState || !weights || !optimizer) throw new Error(`checkpoint of ${finetuneId} is incomplete`);
  const state = JSON.parse(Buffer.from(rawState).toString('utf8')) as StateFile;
  if (state.finetuneId !== finetuneId || state.fingerprint !== fingerprint) return undefined;
  const best = entries.get(BEST);
  return {
    state: state.loop,
    weights: loadSafetensors(weights).tensors,
    bestWeights: best ? loadSafetensors(best).tensors : undefined,
    optimizer: deserializeAdamWState(optimizer),
  };
}

export async function removeJobCheckpoint(dir: string, finetuneId: string): Promise<void> {
  await rm(checkpointPath(dir, finetuneId), { force: true });
}
