// AdamW state as a safetensors file (`m.<param>`, `v.<param>`, the step in the metadata), so a checkpoint
// holds everything an exact resume needs. Moments are in the optimizer's (internal, [in, out]) layout.
import type { AdamWState } from './adamw';
import type { TensorRecords } from './safetensors';
import { loadSafetensors, safetensorsChunks } from './safetensors';

export function serializeAdamWState(state: AdamWState): Buffer {
  return Buffer.concat(adamWStateChunks(state));
}

/** `serializeAdamWState` as chunks (views of the moments), for a bundle writer that copies them once. */
export function adamWStateChunks(state: AdamWState): Uint8Array[] {
  const tensors: TensorRecords = {};
  for (const [name, { shape, m, v }] of Object.entries(state.moments)) {
    tensors[`m.${name}`] = { shape, data: m };
    tensors[`v.${name}`] = { shape, data: v };
  }
  return safetensorsChunks(tensors, { kind: 'adamw', step: String(state.step) });
}

export function deserializeAdamWState(buffer: Uint8Array): AdamWState {
  const { tensors, metadata } = loadSafetensors(buffer);
  if (metadata.kind !== 'adamw') throw new Error('not an AdamW state file');
  const step = Number(metadata.step);
  const moments: AdamWState['moments'] = {};
  for (const [key, record] of Object.entries(tensors)) {
    if (!key.startsWith('m.')) continue;
    const name = key.slice(2);
    const v = tensors[`v.${name}`];
    if (!v) throw new Error(`AdamW state has m but no v for ${name}`);
    moments[name] = { shape: record.shape, m: record.data, v: v.data };
  }
  return { step, moments };
}
