// Creating and disposing models: an encoder plus its heads, initialised from a seed.
import type { BertConfigInput } from './config';
import { assertValidConfig, resolveConfig } from './config';
import type { BertModel } from './encoder';
import type { ParamMap } from './params';
import {
  classificationHeadParamSpecs,
  disposeParams,
  encoderParamSpecs,
  initParams,
  mlmHeadParamSpecs,
} from './params';
import type { Rng } from './rng';
import { createRng } from './rng';

export interface CreateBertModelOptions {
  /** Seed for the initialisation (ignored when `rng` is given). @default 0 */
  seed?: number;
  /** Draw the initialisation from this generator instead (advances it). */
  rng?: Rng;
  /** Include the MLM head (pre-training, fill-mask). @default true */
  mlmHead?: boolean;
  /** Add a classification head with this many labels. @default none */
  numLabels?: number;
}

/**
 * A new model with (±2σ truncated) normal init for matrices and embeddings, zeros for biases, ones for
 * LayerNorm gains. The same config and seed give bit-identical weights on every backend.
 */
export function createBertModel(
  configInput: BertConfigInput,
  options: CreateBertModelOptions = {},
): BertModel {
  const config = assertValidConfig(resolveConfig(configInput));
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const specs = encoderParamSpecs(config);
  if (options.mlmHead ?? true) specs.push(...mlmHeadParamSpecs(config));
  const params = initParams(specs, rng, config.initStd);
  const model: BertModel = { config, params };
  if (options.numLabels !== undefined) addClassificationHead(model, options.numLabels, rng);
  return model;
}

/** Adds (or replaces) the pooler and classifier, e.g. on a pre-trained encoder before fine-tuning. */
export function addClassificationHead(model: BertModel, numLabels: number, rng: Rng): BertModel {
  const head = initParams(classificationHeadParamSpecs(model.config, numLabels), rng, model.config.initStd);
  for (const [name, variable] of head) {
    model.params.get(name)?.dispose();
    model.params.set(name, variable);
  }
  return model;
}

/** Drops the MLM head's own parameters (a fine-tuned classifier does not need them). */
export function removeMlmHead(model: BertModel): BertModel {
  for (const spec of mlmHeadParamSpecs(model.config)) {
    model.params.get(spec.name)?.dispose();
    model.params.delete(spec.name);
  }
  return model;
}

export function disposeModel(model: BertModel): void {
  disposeParams(model.params);
}

/** Parameters of the encoder only, i.e. without heads (for counting or freezing). */
export function encoderParams(model: BertModel): ParamMap {
  const names = new Set(encoderParamSpecs(model.config).map((s) => s.name));
  return new Map([...model.params].filter(([name]) => names.has(name)));
}
