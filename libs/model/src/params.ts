// Parameter names, shapes and initialisation. Names are Hugging Face Megatron-BERT's (the pre-LN BERT in
// transformers), so a checkpoint maps onto `MegatronBertForMaskedLM` / `...ForSequenceClassification`:
//
//   bert.embeddings.word_embeddings.weight              [vocab, d]   (tied to the MLM decoder)
//   bert.embeddings.position_embeddings.weight          [maxLen, d]
//   bert.encoder.layer.{i}.attention.ln.{weight,bias}   pre-attention LayerNorm
//   bert.encoder.layer.{i}.attention.self.{query,key,value}.{weight,bias}
//   bert.encoder.layer.{i}.attention.output.dense.{weight,bias}
//   bert.encoder.layer.{i}.ln.{weight,bias}             pre-FFN LayerNorm
//   bert.encoder.layer.{i}.intermediate.dense.{weight,bias}
//   bert.encoder.layer.{i}.output.dense.{weight,bias}
//   bert.encoder.ln.{weight,bias}                       final LayerNorm
//   cls.predictions.transform.dense.{weight,bias}, cls.predictions.transform.LayerNorm.{weight,bias},
//   cls.predictions.bias                                MLM head
//   bert.pooler.dense.{weight,bias}, classifier.{weight,bias}   classification head
//
// Compared with HF *BERT* (post-LN): `attention.ln` / `ln` / `encoder.ln` replace BERT's
// `attention.output.LayerNorm` / `output.LayerNorm` and sit before, not after, each sublayer; BERT's
// `embeddings.LayerNorm` has no counterpart. Linear weights are stored [in, out] here (x·W needs no
// transpose) and transposed to HF's [out, in] on export.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import type { Rng } from './rng';

export type ParamMap = Map<string, tf.Variable>;

export type ParamInit = 'normal' | 'zeros' | 'ones';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
}

export const WORD_EMBEDDINGS = 'bert.embeddings.word_embeddings.weight';
export const POSITION_EMBEDDINGS = 'bert.embeddings.position_embeddings.weight';

export function layerPrefix(i: number): string {
  return `bert.encoder.layer.${i}`;
}

function linear(name: string, inSize: number, outSize: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [inSize, outSize], init: 'normal' },
    { name: `${name}.bias`, shape: [outSize], init: 'zeros' },
  ];
}

function layerNorm(name: string, size: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [size], init: 'ones' },
    { name: `${name}.bias`, shape: [size], init: 'zeros' },
  ];
}

/** Embeddings, blocks and final LayerNorm, in a fixed order (the order seeds are consumed in). */
export function encoderParamSpecs(config: BertConfig): ParamSpec[] {
  const { vocabSize, dModel: d, ff, maxLen } = config;
  const specs: ParamSpec[] = [
    { name: WORD_EMBEDDINGS, shape: [vocabSize, d], init: 'normal' },
    { name: POSITION_EMBEDDINGS, shape: [maxLen, d], init: 'normal' },
  ];
  for (let i = 0; i < config.layers; i++) {
    const p = layerPrefix(i);
    specs.push(
      ...layerNorm(`${p}.attention.ln`, d),
      ...linear(`${p}.attention.self.query`, d, d),
      ...linear(`${p}.attention.self.key`, d, d),
      ...linear(`${p}.attention.self.value`, d, d),
      ...linear(`${p}.attention.output.dense`, d, d),
      ...layerNorm(`${p}.ln`, d),
      ...linear(`${p}.intermediate.dense`, d, ff),
      ...linear(`${p}.output.dense`, ff, d),
    );
  }
  specs.push(...layerNorm('bert.encoder.ln', d));
  return specs;
}

/** The MLM head's own parameters; its decoder matrix is the word embedding. */
export function mlmHeadParamSpecs(config: BertConfig): ParamSpec[] {
  return [
    ...linear('cls.predictions.transform.dense', config.dModel, config.dModel),
    ...layerNorm('cls.predictions.transform.LayerNorm', config.dModel),
    { name: 'cls.predictions.bias', shape: [config.vocabSize], init: 'zeros' },
  ];
}

/** Pooler (dense + tanh on [CLS]) and the label projection, as in HF's sequence classification. */
export function classificationHeadParamSpecs(config: BertConfig, numLabels: number): ParamSpec[] {
  if (!Number.isSafeInteger(numLabels) || numLabels < 2) {
    throw new RangeError(`numLabels must be an integer ≥ 2, got ${numLabels}`);
  }
  return [
    ...linear('bert.pooler.dense', config.dModel, config.dModel),
    ...linear('classifier', config.dModel, numLabels),
  ];
}

/** Creates variables in spec order, drawing the normal ones from `rng` (deterministic by seed). */
export function initParams(specs: ParamSpec[], rng: Rng, std: number): ParamMap {
  const params: ParamMap = new Map();
  for (const spec of specs) {
    if (params.has(spec.name)) throw new Error(`duplicate parameter ${spec.name}`);
    params.set(spec.name, createVariable(spec, rng, std));
  }
  return params;
}

function createVariable(spec: ParamSpec, rng: Rng, std: number): tf.Variable {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (spec.init === 'normal') rng.fillTruncatedNormal(values, std);
  else if (spec.init === 'ones') values.fill(1);
  // tfjs variable names are global per process; ours live in the map, so let tfjs pick unique ones.
  return tf.tidy(() => tf.variable(tf.tensor(values, spec.shape, 'float32'), true));
}

/** Looks a parameter up, failing with its name rather than with an undefined deep inside an op. */
export function param(params: ParamMap, name: string): tf.Variable {
  const value = params.get(name);
  if (!value) throw new Error(`missing parameter ${name}`);
  return value;
}

/** True for matrices used as x·W (stored [in, out]; HF stores them [out, in]). */
export function isLinearWeight(name: string, rank: number): boolean {
  return rank === 2 && name.endsWith('.weight') && !name.includes('embeddings');
}

export function countParams(params: ParamMap): number {
  let total = 0;
  for (const v of params.values()) total += v.size;
  return total;
}

export function disposeParams(params: ParamMap): void {
  for (const v of params.values()) v.dispose();
  params.clear();
}

/**
 * Layer-wise learning-rate decay (ULMFiT's discriminative fine-tuning, ELECTRA's layer decay): the heads
 * and the final LayerNorm take the full rate, block i of L takes decay^(L − i), the embeddings
 * decay^(L + 1). A pre-trained lower layer holds general features that a few labels should barely move.
 * `decay` 1 gives every parameter the full rate.
 */
export function layerwiseLrScale(config: BertConfig, decay: number): (name: string) => number {
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`layer decay must be in (0, 1], got ${decay}`);
  const depth = config.layers;
  return (name) => {
    if (name.startsWith('bert.embeddings.')) return decay ** (depth + 1);
    const block = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
    if (block) return decay ** (depth - Number(block[1]));
    return 1;
  };
}
