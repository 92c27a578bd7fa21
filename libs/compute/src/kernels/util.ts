// Helpers shared by the native kernels: typed access to the CPU backend's storage, output allocation,
// and the fallback to the reference 'cpu' kernel for dtypes or layouts the native code does not take.
import { getKernel } from '@tensorflow/tfjs-core';
import type {
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../native/addon';

/** Registered name of the native CPU backend. */
export const NATIVE_BACKEND_NAME = 'headstart-cpu';

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: MathBackendCPU;
  attrs: NamedAttrMap;
}

export type NativeKernel = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** What each kernel factory gets: the addon and the reference kernels to fall back on. */
export interface KernelContext {
  addon: NativeAddon;
}

export function input(args: KernelArgs, name: string): TensorInfo {
  const t = args.inputs[name];
  if (!t) throw new Error(`headstart-cpu: missing input '${name}'`);
  return t;
}

/** The float32 storage of a tensor, or null when it is another dtype (callers then fall back). */
export function floats(backend: MathBackendCPU, t: TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : null;
}

export function ints(backend: MathBackendCPU, t: TensorInfo): Int32Array | null {
  if (t.dtype !== 'int32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Int32Array ? values : null;
}

/**
 * A float32 buffer for a kernel output that the kernel overwrites completely: recycled from the
 * backend's pool when it has one (see backend/buffer_pool.ts), else fresh.
 */
export function allocFloats(backend: MathBackendCPU, size: number): Float32Array {
  const pool = (backend as { pool?: { alloc(size: number): Float32Array } }).pool;
  return pool ? pool.alloc(size) : new Float32Array(size);
}

/** Returns a scratch buffer from allocFloats that did not become a kernel output. */
export function discardFloats(backend: MathBackendCPU, values: Float32Array): void {
  (backend as { pool?: { discard(values: Float32Array): void } }).pool?.discard(values);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** The 'cpu' backend's kernel for `name`, run on our backend (same storage) when we cannot do better. */
export function reference(name: string): KernelFunc {
  const kernel = getKernel(name, 'cpu');
  if (!kernel) throw new Error(`headstart-cpu: no reference 'cpu' kernel for ${name}`);
  return kernel.kernelFunc;
}

export function kernelConfig(kernelName: string, kernelFunc: NativeKernel): KernelConfig {
  return { kernelName, backendName: NATIVE_BACKEND_NAME, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Normalises an axis attribute (number, array, negative values) to sorted unique axes. */
export function normalizeAxes(axis: number | number[] | undefined, rank: number): number[] {
  const list =
    axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  const axes = list.map((a) => (a < 0 ? a + rank : a));
  for (const a of axes) {
    if (a < 0 || a >= rank) throw new Error(`headstart-cpu: axis ${a} out of range for rank ${rank}`);
  }
  return [...new Set(axes)].sort((x, y) => x - y);
}
