// A BASE_MODEL version as fine-tuning and fill-mask need it: the pre-training checkpoint bundle (see
// @headstart/checkpoint: model.safetensors + config.json + optimizer + state.json in a tar, digests
// checked) and the tokenizer found through lineage.
import { CheckpointFormatError, readCheckpoint } from '@headstart/checkpoint';
import { failedPrecondition } from '@headstart/errors';
import type { BertModel } from '@headstart/model';
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { Tokenizer } from '@headstart/tokenizer';
import { pinned } from '../spec/resolve-spec';
import { findTokenizerVersion } from './lineage';

/** Largest artifact the service downloads into memory. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3;

export interface BaseCheckpoint {
  version: registry.ModelVersion;
  tokenizerVersion: registry.ModelVersion;
  tokenizerJson: string;
  tokenizer: Tokenizer;
  /** Builds the model with the MLM head (the caller owns and disposes it). */
  loadModel(): BertModel;
  /** model.safetensors + config.json + state.json sizes: what the model costs to keep. */
  bytes: number;
}

export async function downloadTokenizer(
  client: RegistryClient,
  version: registry.ModelVersion,
  signal?: AbortSignal,
): Promise<{ version: registry.ModelVersion; json: string; tokenizer: Tokenizer }> {
  const tokenizerVersion = await findTokenizerVersion(client, version, signal);
  const bytes = await client.downloadToBuffer(pinned(tokenizerVersion.modelName, tokenizerVersion.version), {
    maxBytes: 256 * 1024 ** 2,
    ...(signal ? { signal } : {}),
  });
  const json = bytes.toString('utf8');
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromJSON(json);
  } catch (err) {
    throw failedPrecondition(
      `tokenizer ${tokenizerVersion.modelName}:${tokenizerVersion.version} is not a readable tokenizer.json: ` +
        (err as Error).message,
    );
  }
  return { version: tokenizerVersion, json, tokenizer };
}

/** Downloads and checks a base checkpoint and its tokenizer. FAILED_PRECONDITION if either is unusable. */
export async function loadBaseCheckpoint(
  client: RegistryClient,
  version: registry.ModelVersion,
  signal?: AbortSignal,
): Promise<BaseCheckpoint> {
  const bytes = await client.downloadToBuffer(pinned(version.modelName, version.version), {
    maxBytes: MAX_MODEL_BYTES,
    ...(signal ? { signal } : {}),
  });
  let checkpoint;
  try {
    checkpoint = await readCheckpoint(bytes);
  } catch (err) {
    if (err instanceof CheckpointFormatError) {
      throw failedPrecondition(
        `${version.modelName}:${version.version} is not a Headstart pre-training checkpoint: ${err.message}`,
        { field: 'spec.base_model' },
      );
    }
    throw err;
  }
  const tokenizer = await downloadTokenizer(client, version, signal);
  const config = checkpoint.loadModel;
  return {
    version,
    tokenizerVersion: tokenizer.version,
    tokenizerJson: tokenizer.json,
    tokenizer: tokenizer.tokenizer,
    loadModel: config,
    bytes: checkpoint.weights.byteLength,
  };
}
