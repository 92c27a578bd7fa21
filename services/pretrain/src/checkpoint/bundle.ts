// The checkpoint bundle: one tar (one registry artifact) holding
//   model.safetensors      weights, Hugging Face (Megatron-BERT) names and layout, config in its metadata
//   config.json            HF-style model config
//   optimizer.safetensors  AdamW moments m.<param> / v.<param> and the update count
//   state.json             step, tokens seen, every RNG state (the data cursor), training config, run
//                          spec, metrics, and the sha256 of the three files above
// No timestamps inside: the same state always packs to the same bytes, so re-registering a checkpoint
// under its idempotency key is recognised as the same artifact.
// state.json is written last and lists the digests, so a bundle whose files do not match it is refused.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AdamWState, BertConfig, BertModel } from '@headstart/model';
import {
  CONFIG_FILE,
  WEIGHTS_FILE,
  deserializeAdamWState,
  deserializeModel,
  serializeAdamWState,
  serializeModel,
} from '@headstart/model';
import type { TrainingRngStates } from '../training/seeds';
import type { EvalRecord, TrainingSession } from '../training/session';
import type { TrainingConfig } from '../training/training-config';
import { packTar, unpackTar } from './tar';

export const CHECKPOINT_FORMAT = 'headstart.pretrain.checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  runId: string;
  step: number;
  totalSteps: number;
  tokensSeen: number;
  /** Mean training loss of `step`. */
  loss: number;
  /** Wall-clock milliseconds trained up to this checkpoint (absent in checkpoints of older versions). */
  trainingMs?: number;
  lastEval?: EvalRecord;
  bestEval?: EvalRecord;
  /** The best evaluated checkpoint of the run so far (possibly this one). */
  bestCheckpoint?: EvalRecord;
  rng: TrainingRngStates;
  training: TrainingConfig;
  model: BertConfig;
  /** The run spec (proto JSON) the checkpoint belongs to. */
  spec: unknown;
  /** The last checkpoint of the run. */
  final: boolean;
  /** TF.js backend that trained it. */
  backend: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

export type CheckpointMeta = Pick<CheckpointState, 'runId' | 'spec' | 'final' | 'backend'>;

export interface Checkpoint {
  state: CheckpointState;
  /** model.safetensors bytes. */
  weights: Uint8Array;
  configJson: string;
  /** optimizer.safetensors bytes. */
  optimizer: Uint8Array;
  /** Builds the model (caller disposes it). */
  loadModel(): BertModel;
  loadOptimizerState(): AdamWState;
}

/** The bundle was damaged or is not a checkpoint. */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Serialises a session at a step boundary into bundle bytes. */
export async function packCheckpoint(session: TrainingSession, meta: CheckpointMeta): Promise<Buffer> {
  const { weights, configJson } = await serializeModel(session.model, {
    metadata: { run_id: meta.runId, step: String(session.counters.step) },
  });
  const optimizer = serializeAdamWState(await session.optimizer.exportState());
  const config = Buffer.from(configJson, 'utf8');
  const { counters } = session;
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    ...meta,
    step: counters.step,
    totalSteps: session.config.totalSteps,
    tokensSeen: counters.tokensSeen,
    loss: counters.loss,
    trainingMs: Math.round(counters.trainingMs),
    ...(counters.lastEval ? { lastEval: counters.lastEval } : {}),
    ...(counters.bestEval ? { bestEval: counters.bestEval } : {}),
    ...(counters.bestCheckpoint ? { bestCheckpoint: counters.bestCheckpoint } : {}),
    rng: {
      data: session.rngs.data.getState(),
      mask: session.rngs.mask.getState(),
      dropout: session.rngs.dropout.getState(),
    },
    training: session.config,
    model: session.model.config,
    files: {
      [WEIGHTS_FILE]: { sha256: sha256(weights), bytes: weights.length },
      [CONFIG_FILE]: { sha256: sha256(config), bytes: config.length },
      [OPTIMIZER_FILE]: { sha256: sha256(optimizer), bytes: optimizer.length },
    },
  };
  return packTar([
    { name: WEIGHTS_FILE, data: weights },
    { name: CONFIG_FILE, data: config },
    { name: OPTIMIZER_FILE, data: optimizer },
    { name: STATE_FILE, data: Buffer.from(`${JSON.stringify(state, null, 2)}\n`, 'utf8') },
  ]);
}

function parseState(data: Uint8Array | undefined): CheckpointState {
  if (!data) throw new CheckpointFormatError(`the bundle has no ${STATE_FILE}`);
  let state: CheckpointState;
  try {
    state = JSON.parse(Buffer.from(data).toString('utf8')) as CheckpointState;
  } catch (err) {
    throw new CheckpointFormatError(`${STATE_FILE} is not JSON: ${(err as Error).message}`);
  }
  if (state?.format !== CHECKPOINT_FORMAT)
    throw new CheckpointFormatError('not a Headstart pre-training checkpoint');
  if (state.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointFormatError(`checkpoint format version ${state.formatVersion} is not supported`);
  }
  return state;
}

/**
 * Opens a checkpoint bundle (bytes, or the path of a file) and checks every file against the digests in
 * state.json. This is what fine-tuning uses to load base weights and config.
 */
export async function readCheckpoint(source: Uint8Array | string): Promise<Checkpoint> {
  const bytes = typeof source === 'string' ? await readFile(source) : source;
  let entries;
  try {
    entries = new Map(unpackTar(bytes).map((e) => [e.name, e.data]));
  } catch (err) {
    throw new CheckpointFormatError(`not a readable checkpoint bundle: ${(err as Error).message}`);
  }
  const state = parseState(entries.get(STATE_FILE));
  for (const [name, expected] of Object.entries(state.files ?? {})) {
    const data = entries.get(name);
    if (!data) throw new CheckpointFormatError(`the bundle has no ${name}`);
    if (data.length !== expected.bytes || sha256(data) !== expected.sha256) {
      throw new CheckpointFormatError(`${name} does not match the digest in ${STATE_FILE}`);
    }
  }
  const weights = entries.get(WEIGHTS_FILE) as Uint8Array;
  const configJson = Buffer.from(entries.get(CONFIG_FILE) as Uint8Array).toString('utf8');
  const optimizer = entries.get(OPTIMIZER_FILE) as Uint8Array;
  return {
    state,
    weights,
    configJson,
    optimizer,
    loadModel: () => deserializeModel(weights, configJson),
    loadOptimizerState: () => deserializeAdamWState(optimizer),
  };
}
