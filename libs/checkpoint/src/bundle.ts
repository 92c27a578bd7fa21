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
import type { AdamWState, BertConfig, BertModel, RngState } from '@headstart/model';
import {
  CONFIG_FILE,
  WEIGHTS_FILE,
  deserializeAdamWState,
  adamWStateChunks,
  deserializeModel,
  serializeModelChunks,
} from '@headstart/model';
import { packTar, unpackTar } from './tar';

export const CHECKPOINT_FORMAT = 'headstart.pretrain.checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';

export interface EvalRecord {
  step: number;
  loss: number;
  perplexity: number;
}

/** Where a run stands at a step boundary: what a checkpoint records besides tensors and RNG states. */
export interface CheckpointCounters {
  /** Optimizer steps done. */
  step: number;
  tokensSeen: number;
  /**
   * A mixed run's tokens per source (windows × seqLen, in the order of its mixture; they sum to
   * tokensSeen). Absent for a run with one source.
   */
  sourceTokens?: number[];
  /** Mean training loss of the last step (NaN before the first). */
  loss: number;
  /** Wall-clock milliseconds trained, evaluations and checkpoints included, over all attempts. */
  trainingMs: number;
  lastEval?: EvalRecord;
  bestEval?: EvalRecord;
  /** The checkpoint with the lowest evaluation loss so far (checkpoints always evaluate). */
  bestCheckpoint?: EvalRecord;
}

/** The states of the random streams a training loop draws from: the run's data cursor. */
export interface CheckpointRngStates {
  data: RngState;
  mask: RngState;
  dropout: RngState;
  /**
   * A mixed run's per-source cursors (window offsets), in the order of its mixture; `data` then picks
   * each window's source. Absent for a run with one source, whose cursor is `data`.
   */
  sources?: RngState[];
}

/**
 * The run's training config, stored whole as JSON. The format owns only the fields named here; the
 * trainer that wrote it (@headstart/pretrain's TrainingConfig) owns the rest.
 */
export interface CheckpointTraining {
  /** Optimizer steps of the run. */
  totalSteps: number;
  /** Wall-clock budget of the run, 0 for none (absent in checkpoints of older versions). */
  timeBudgetMs?: number;
}

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  runId: string;
  step: number;
  totalSteps: number;
  tokensSeen: number;
  /** A mixed run's tokens per source (see CheckpointCounters.sourceTokens). */
  sourceTokens?: number[];
  /** Mean training loss of `step`. */
  loss: number;
  /** Wall-clock milliseconds trained up to this checkpoint (absent in checkpoints of older versions). */
  trainingMs?: number;
  lastEval?: EvalRecord;
  bestEval?: EvalRecord;
  /** The best evaluated checkpoint of the run so far (possibly this one). */
  bestCheckpoint?: EvalRecord;
  rng: CheckpointRngStates;
  training: CheckpointTraining;
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

/** What a training run holds at a step boundary, as plain values: everything a checkpoint stores. */
export interface CheckpointContents {
  model: BertModel;
  optimizer: AdamWState;
  counters: CheckpointCounters;
  rng: CheckpointRngStates;
  training: CheckpointTraining;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Digest and length of a file given as chunks, without joining them. */
function describeChunks(chunks: readonly Uint8Array[]): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Serialises a run's state at a step boundary into bundle bytes. */
export async function packCheckpoint(contents: CheckpointContents, meta: CheckpointMeta): Promise<Buffer> {
  const { counters } = contents;
  // Chunks (views of the exported tensors), copied once into the tar: joining each file first kept a
  // second full copy of weights and moments alive while packing.
  const { weights, configJson } = await serializeModelChunks(contents.model, {
    metadata: { run_id: meta.runId, step: String(counters.step) },
  });
  const optimizer = adamWStateChunks(contents.optimizer);
  const config = Buffer.from(configJson, 'utf8');
  // The key order below is the order of state.json's fields: keep it, so equal states pack to equal bytes.
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    ...meta,
    step: counters.step,
    totalSteps: contents.training.totalSteps,
    tokensSeen: counters.tokensSeen,
    ...(counters.sourceTokens ? { sourceTokens: counters.sourceTokens } : {}),
    loss: counters.loss,
    trainingMs: Math.round(counters.trainingMs),
    ...(counters.lastEval ? { lastEval: counters.lastEval } : {}),
    ...(counters.bestEval ? { bestEval: counters.bestEval } : {}),
    ...(counters.bestCheckpoint ? { bestCheckpoint: counters.bestCheckpoint } : {}),
    rng: {
      data: contents.rng.data,
      mask: contents.rng.mask,
      dropout: contents.rng.dropout,
      ...(contents.rng.sources ? { sources: contents.rng.sources } : {}),
    },
    training: contents.training,
    model: contents.model.config,
    files: {
      [WEIGHTS_FILE]: describeChunks(weights),
      [CONFIG_FILE]: { sha256: sha256(config), bytes: config.length },
      [OPTIMIZER_FILE]: describeChunks(optimizer),
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
