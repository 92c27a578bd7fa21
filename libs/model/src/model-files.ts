// A model on disk: model.safetensors (HF names and layout, our config in __metadata__) and an HF-style
// config.json beside it. The safetensors file alone is enough to rebuild the model.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BertConfig } from './config';
import { assertValidConfig } from './config';
import type { BertModel } from './encoder';
import type { HfConfigOptions } from './hf-config';
import { fromHfConfig, toHfConfig } from './hf-config';
import { createBertModel } from './model';
import { loadSafetensors, safetensorsChunks } from './safetensors';
import { exportWeights, importWeights } from './weights';

export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
const CONFIG_METADATA_KEY = 'headstart_config';

export interface SerializedModel {
  /** model.safetensors bytes. */
  weights: Buffer;
  /** config.json text. */
  configJson: string;
}

export interface SerializeOptions extends HfConfigOptions {
  /** Extra string metadata for the safetensors header (e.g. step, run id). */
  metadata?: Record<string, string>;
}

export async function serializeModel(
  model: BertModel,
  options: SerializeOptions = {},
): Promise<SerializedModel> {
  const { weights, configJson } = await serializeModelChunks(model, options);
  return { weights: Buffer.concat(weights), configJson };
}

export interface SerializedModelChunks {
  /** model.safetensors bytes as chunks in order (see safetensorsChunks). */
  weights: Uint8Array[];
  /** config.json text. */
  configJson: string;
}

/**
 * `serializeModel` without joining the weights into one buffer, for a bundle writer that copies them
 * once. The chunks may view the model's own storage (no copy): write them before the next update.
 */
export async function serializeModelChunks(
  model: BertModel,
  options: SerializeOptions = {},
): Promise<SerializedModelChunks> {
  const hasClassifier = model.params.has('classifier.weight');
  const hfOptions: HfConfigOptions = {
    architecture:
      options.architecture ??
      (hasClassifier ? 'MegatronBertForSequenceClassification' : 'MegatronBertForMaskedLM'),
    ...(options.labels ? { labels: options.labels } : {}),
  };
  const weights = safetensorsChunks(await exportWeights(model.params, { copy: false }), {
    ...options.metadata,
    format: 'pt', // lets HF's from_pretrained accept the file
    [CONFIG_METADATA_KEY]: JSON.stringify(model.config),
  });
  return { weights, configJson: `${JSON.stringify(toHfConfig(model.config, hfOptions), null, 2)}\n` };
}

/**
 * Rebuilds a model from safetensors bytes. The config comes from `configJson` when given, else from the
 * file's metadata. Heads are created for whatever the file contains (MLM head, classifier).
 */
export function deserializeModel(weights: Uint8Array, configJson?: string): BertModel {
  const { tensors, metadata } = loadSafetensors(weights);
  const config = configJson
    ? fromHfConfig(JSON.parse(configJson) as Record<string, unknown>)
    : configFromMetadata(metadata);
  const classifier = tensors['classifier.weight'];
  const model = createBertModel(config, {
    mlmHead: 'cls.predictions.bias' in tensors,
    ...(classifier ? { numLabels: classifier.shape[0] as number } : {}),
  });
  importWeights(model.params, tensors);
  return model;
}

function configFromMetadata(metadata: Record<string, string>): BertConfig {
  const text = metadata[CONFIG_METADATA_KEY];
  if (!text) throw new Error(`safetensors metadata has no ${CONFIG_METADATA_KEY}; pass config.json`);
  return assertValidConfig(JSON.parse(text) as BertConfig);
}

/** Writes model.safetensors and config.json into `dir`, each through a temp file and a rename. */
export async function saveModel(
  dir: string,
  model: BertModel,
  options: SerializeOptions = {},
): Promise<void> {
  const { weights, configJson } = await serializeModel(model, options);
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, WEIGHTS_FILE), weights);
  await writeAtomically(join(dir, CONFIG_FILE), configJson);
}

export async function loadModel(dir: string): Promise<BertModel> {
  const [weights, configJson] = await Promise.all([
    readFile(join(dir, WEIGHTS_FILE)),
    readFile(join(dir, CONFIG_FILE), 'utf8'),
  ]);
  return deserializeModel(weights, configJson);
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}
