// The encoder: token + learned position embeddings → pre-LN blocks → final LayerNorm.
//   x = x + Dropout(Attention(LN(x)));  x = x + Dropout(W2·GELU(W1·LN(x)))
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionShape } from './attention';
import { attentionBias, selfAttention } from './attention';
import type { BertConfig } from './config';
import { gatherRows } from './gather';
import { dropout, gelu, layerNorm, linear } from './layers';
import type { ParamMap } from './params';
import { POSITION_EMBEDDINGS, WORD_EMBEDDINGS, layerPrefix, param } from './params';
import type { Rng } from './rng';

/** A model: its config and its named parameters (encoder plus whichever heads it has). */
export interface BertModel {
  config: BertConfig;
  params: ParamMap;
}

/** A batch of token sequences, row-major [batchSize, seqLen]. */
export interface EncoderInput {
  inputIds: Int32Array;
  batchSize: number;
  seqLen: number;
  /** 1 for tokens, 0 for padding (keys at 0 are not attended to). All ones when absent. */
  attentionMask?: ArrayLike<number>;
}

/** Forward-pass mode. Dropout is active only when `training` is true and needs `rng` then. */
export interface ForwardOptions {
  /** @default false */
  training?: boolean;
  /** Source of dropout masks; required in training mode when config.dropout > 0. */
  rng?: Rng;
}

/** The RNG dropout should use, or undefined in evaluation mode (dropout off). */
export function dropoutRng(config: BertConfig, options: ForwardOptions): Rng | undefined {
  if (!options.training || config.dropout === 0) return undefined;
  if (!options.rng) throw new Error('training with dropout > 0 needs an rng for the dropout masks');
  return options.rng;
}

export function checkEncoderInput(config: BertConfig, input: EncoderInput): void {
  const { batchSize, seqLen, inputIds } = input;
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0 || !Number.isSafeInteger(seqLen) || seqLen <= 0) {
    throw new RangeError(`batchSize and seqLen must be positive integers, got ${batchSize}×${seqLen}`);
  }
  if (seqLen > config.maxLen) {
    throw new RangeError(`seqLen ${seqLen} exceeds the model's maxLen ${config.maxLen}`);
  }
  if (inputIds.length !== batchSize * seqLen) {
    throw new RangeError(`inputIds has ${inputIds.length} entries, expected ${batchSize}×${seqLen}`);
  }
  for (const id of inputIds) {
    if (id < 0 || id >= config.vocabSize)
      throw new RangeError(`token id ${id} outside vocab [0, ${config.vocabSize})`);
  }
}

function embed(model: BertModel, input: EncoderInput, rng: Rng | undefined): tf.Tensor2D {
  const { batchSize, seqLen } = input;
  const d = model.config.dModel;
  const ids = tf.tensor1d(input.inputIds, 'int32');
  const words = gatherRows(param(model.params, WORD_EMBEDDINGS), ids);
  const table = param(model.params, POSITION_EMBEDDINGS);
  // Full-length batches use the table as it is: no slice forward, and no pad in the backward pass.
  const positions = seqLen === table.shape[0] ? table : tf.slice(table, [0, 0], [seqLen, d]);
  const sum = tf.add(tf.reshape(words, [batchSize, seqLen, d]), positions);
  return dropout(tf.reshape(sum, [batchSize * seqLen, d]), model.config.dropout, rng);
}

function block(
  model: BertModel,
  x: tf.Tensor2D,
  i: number,
  shape: AttentionShape,
  bias: tf.Tensor4D | undefined,
  rng: Rng | undefined,
): tf.Tensor2D {
  const { params, config } = model;
  const p = layerPrefix(i);
  const get = (name: string) => param(params, `${p}.${name}`);
  const eps = config.layerNormEps;

  const attnIn = layerNorm(x, get('attention.ln.weight'), get('attention.ln.bias'), eps);
  const attn = selfAttention(attnIn, params, `${p}.attention`, shape, bias, config.dropout, rng);
  const afterAttn = tf.add(x, dropout(attn, config.dropout, rng));

  const ffIn = layerNorm(afterAttn, get('ln.weight'), get('ln.bias'), eps);
  const inner = gelu(linear(ffIn, get('intermediate.dense.weight'), get('intermediate.dense.bias')));
  const ffOut = linear(inner, get('output.dense.weight'), get('output.dense.bias'));
  return tf.add(afterAttn, dropout(ffOut, config.dropout, rng));
}

/** Final hidden states [batchSize·seqLen, dModel]. Call inside tf.tidy or a gradient function. */
export function encode(model: BertModel, input: EncoderInput, options: ForwardOptions = {}): tf.Tensor2D {
  const { config, params } = model;
  checkEncoderInput(config, input);
  const rng = dropoutRng(config, options);
  const shape: AttentionShape = {
    batchSize: input.batchSize,
    seqLen: input.seqLen,
    heads: config.heads,
    dModel: config.dModel,
  };
  const bias = attentionBias(input.attentionMask, input.batchSize, input.seqLen);
  let x = embed(model, input, rng);
  for (let i = 0; i < config.layers; i++) x = block(model, x, i, shape, bias, rng);
  return layerNorm(
    x,
    param(params, 'bert.encoder.ln.weight'),
    param(params, 'bert.encoder.ln.bias'),
    config.layerNormEps,
  );
}
