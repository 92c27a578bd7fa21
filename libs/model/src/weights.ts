// Moving weights between tf.Variables and plain arrays in Hugging Face's layout and names (see params.ts
// for the name map). Linear weights are transposed to HF's [out, in]; a zero token-type row is added so
// HF's Megatron-BERT (which always adds token_type_embeddings[0]) computes exactly what we compute.
import * as tf from '@tensorflow/tfjs-core';
import type { ExportOptions } from './export-options';
import { float32 } from './export-options';
import type { ParamMap } from './params';
import { POSITION_EMBEDDINGS, WORD_EMBEDDINGS, isLinearWeight } from './params';
import type { TensorRecord, TensorRecords } from './safetensors';

export const TOKEN_TYPE_EMBEDDINGS = 'bert.embeddings.token_type_embeddings.weight';

// HF tensors we accept but do not keep: the tied decoder (a copy of the embeddings and of cls.predictions.bias)
// and a buffer older HF versions saved.
const REDUNDANT = new Set([
  'cls.predictions.decoder.weight',
  'cls.predictions.decoder.bias',
  'bert.embeddings.position_ids',
]);

/** Every parameter, in HF layout (copies unless `copy: false`, see ExportOptions). */
export async function exportWeights(
  params: ParamMap,
  { copy = true }: ExportOptions = {},
): Promise<TensorRecords> {
  const records: TensorRecords = {};
  for (const [name, variable] of params) {
    const linear = isLinearWeight(name, variable.rank);
    const hfView = linear ? tf.transpose(variable) : variable;
    try {
      records[name] = { shape: [...hfView.shape], data: float32(await hfView.data(), copy) };
    } finally {
      if (linear) hfView.dispose();
    }
  }
  const words = params.get(WORD_EMBEDDINGS);
  if (words)
    records[TOKEN_TYPE_EMBEDDINGS] = {
      shape: [1, words.shape[1] as number],
      data: new Float32Array(words.shape[1] as number),
    };
  return records;
}

export interface ImportWeightsOptions {
  /**
   * Fail when a parameter has no tensor or a tensor has no parameter (like torch's load_state_dict). With
   * false, such names are reported instead and missing parameters keep their current values. @default true
   */
  strict?: boolean;
}

export interface ImportReport {
  /** Parameters the records did not contain (kept as they were). */
  missing: string[];
  /** Tensors with no matching parameter (ignored). */
  unexpected: string[];
}

/**
 * Assigns HF-layout records to the parameters. Checks every shape before assigning anything, so a bad
 * checkpoint leaves the model untouched; a mismatch names the tensor.
 */
export function importWeights(
  params: ParamMap,
  records: TensorRecords,
  options: ImportWeightsOptions = {},
): ImportReport {
  const values = foldTokenTypes(records);
  const missing = [...params.keys()].filter((name) => !(name in values));
  const unexpected = Object.keys(values).filter((name) => !params.has(name) && !REDUNDANT.has(name));
  if ((options.strict ?? true) && (missing.length > 0 || unexpected.length > 0)) {
    throw new Error(
      `checkpoint does not match the model: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
    );
  }
  const updates: Array<[tf.Variable, TensorRecord, boolean]> = [];
  for (const [name, variable] of params) {
    const record = values[name];
    if (!record) continue;
    const linear = isLinearWeight(name, variable.rank);
    const expected = linear ? [...variable.shape].reverse() : variable.shape;
    if (!tf.util.arraysEqual(record.shape, expected) || record.data.length !== variable.size) {
      throw new Error(
        `tensor ${name}: checkpoint shape [${record.shape}] does not match the model's [${expected}]`,
      );
    }
    updates.push([variable, record, linear]);
  }
  for (const [variable, record, linear] of updates) {
    tf.tidy(() => {
      const value = tf.tensor(record.data, record.shape, 'float32');
      variable.assign(linear ? tf.transpose(value) : value);
    });
  }
  return { missing, unexpected };
}

/**
 * Our inputs never have a second segment, so HF's token_type_embeddings[0] is a constant added at every
 * position: fold it into the position embeddings (exact). Our own exports carry zeros there.
 */
function foldTokenTypes(records: TensorRecords): TensorRecords {
  const tokenTypes = records[TOKEN_TYPE_EMBEDDINGS];
  const { [TOKEN_TYPE_EMBEDDINGS]: _dropped, ...rest } = records;
  const positions = rest[POSITION_EMBEDDINGS];
  if (!tokenTypes || !positions) return rest;
  const width = positions.shape[1] as number;
  if (tokenTypes.shape[1] !== width) {
    throw new Error(
      `tensor ${TOKEN_TYPE_EMBEDDINGS}: width ${tokenTypes.shape[1]} does not match positions' ${width}`,
    );
  }
  const folded = Float32Array.from(positions.data);
  for (let i = 0; i < folded.length; i++)
    folded[i] = (folded[i] as number) + (tokenTypes.data[i % width] as number);
  return { ...rest, [POSITION_EMBEDDINGS]: { shape: positions.shape, data: folded } };
}
