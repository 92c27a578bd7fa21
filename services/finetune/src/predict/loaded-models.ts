// What the prediction cache holds: a fine-tuned classifier (from its bundle) or a base model with its
// masked-LM head (from its checkpoint and the tokenizer found through lineage).
import { failedPrecondition } from '@headstart/errors';
import type { BertModel } from '@headstart/model';
import { disposeModel } from '@headstart/model';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Tokenizer } from '@headstart/tokenizer';
import { loadBaseCheckpoint, MAX_MODEL_BYTES } from '../models/base-checkpoint';
import { BundleFormatError, readFinetunedBundle } from '../models/finetuned-bundle';
import { pinned } from '../spec/resolve-spec';
import type { Loaded } from '../models/model-cache';

export interface LoadedModel {
  kind: 'classifier' | 'masked-lm';
  model: BertModel;
  tokenizer: Tokenizer;
  /** Class labels (classifier only). */
  labels: string[];
  maxLength: number;
}

function checkVocab(model: BertModel, tokenizer: Tokenizer, what: string): void {
  if (tokenizer.vocabSize > model.config.vocabSize) {
    disposeModel(model);
    throw failedPrecondition(
      `${what}: its tokenizer has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`,
    );
  }
}

export async function loadClassifier(
  client: RegistryClient,
  version: registry.ModelVersion,
): Promise<Loaded<LoadedModel>> {
  const label = `${version.modelName}:${version.version}`;
  const bytes = await client.downloadToBuffer(pinned(version.modelName, version.version), {
    maxBytes: MAX_MODEL_BYTES,
  });
  let bundle;
  try {
    bundle = readFinetunedBundle(bytes);
  } catch (err) {
    if (err instanceof BundleFormatError)
      throw failedPrecondition(`${label} is not a usable fine-tuned model: ${err.message}`);
    throw err;
  }
  const model = bundle.loadModel();
  checkVocab(model, bundle.tokenizer, label);
  return {
    value: {
      kind: 'classifier',
      model,
      tokenizer: bundle.tokenizer,
      labels: bundle.manifest.labels,
      maxLength: Math.min(bundle.manifest.maxLength, model.config.maxLen),
    },
    bytes: bundle.weightBytes,
    dispose: () => disposeModel(model),
  };
}

export async function loadMaskedLm(
  client: RegistryClient,
  version: registry.ModelVersion,
): Promise<Loaded<LoadedModel>> {
  const base = await loadBaseCheckpoint(client, version);
  const model = base.loadModel();
  if (!model.params.has('cls.predictions.bias')) {
    disposeModel(model);
    throw failedPrecondition(`${version.modelName}:${version.version} has no masked-LM head`);
  }
  checkVocab(model, base.tokenizer, `${version.modelName}:${version.version}`);
  return {
    value: {
      kind: 'masked-lm',
      model,
      tokenizer: base.tokenizer,
      labels: [],
      maxLength: model.config.maxLen,
    },
    bytes: base.bytes,
    dispose: () => disposeModel(model),
  };
}

export const FINETUNED = registry.ModelKind.MODEL_KIND_FINETUNED_MODEL;
export const BASE = registry.ModelKind.MODEL_KIND_BASE_MODEL;
