// Copies of parameter values by internal name: the best weights kept for early stopping, and the
// current weights of a resumable job checkpoint.
import { tf } from '@headstart/compute';
import type { ParamMap, TensorRecords } from '@headstart/model';

export async function snapshotParams(params: ParamMap): Promise<TensorRecords> {
  const out: TensorRecords = {};
  for (const [name, variable] of params) {
    out[name] = { shape: [...variable.shape], data: Float32Array.from(await variable.data()) };
  }
  return out;
}

/** Writes a snapshot back into the variables; every parameter must be present with its shape. */
export function restoreParams(params: ParamMap, snapshot: TensorRecords): void {
  for (const [name, variable] of params) {
    const record = snapshot[name];
    if (!record) throw new Error(`snapshot has no parameter ${name}`);
    if (!tf.util.arraysEqual(record.shape, variable.shape)) {
      throw new Error(`${name}: snapshot shape [${record.shape}] does not match [${variable.shape}]`);
    }
  }
  for (const [name, variable] of params) {
    const { data, shape } = snapshot[name] as TensorRecords[string];
    tf.tidy(() => variable.assign(tf.tensor(data, shape, 'float32')));
  }
}
