// The 'headstart-cpu' backend: TF.js's CPU backend (tensors are JS typed arrays, so the native kernels
// read and write them zero-copy) with every 'cpu' kernel registered under our name and the hot ones
// replaced by OpenBLAS/C++ kernels.
import '@tensorflow/tfjs-backend-cpu';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  findBackendFactory,
  getKernel,
  getKernelsForBackend,
  registerBackend,
  registerKernel,
} from '@tensorflow/tfjs-core';
import type { BackendValues, DataType, KernelConfig } from '@tensorflow/tfjs-core';
import { BufferPool } from './buffer_pool';
import { attentionKernels } from '../kernels/attention';
import { fusedKernels } from '../kernels/fused';
import { layoutKernels } from '../kernels/layout';
import { registerSoftmaxGradient } from '../ops/fused_ops';
import { elementwiseKernels } from '../kernels/elementwise';
import { matmulKernels } from '../kernels/matmul';
import { reduceKernels } from '../kernels/reduce';
import type { KernelContext } from '../kernels/util';
import { NATIVE_BACKEND_NAME } from '../kernels/util';
import type { NativeAddon } from '../native/addon';

type DataId = object;
type Values = BackendValues;

/** Default ceiling on recycled-but-unused kernel output memory. */
const MAX_POOLED_BYTES = 512 * 1024 ** 2;

export class NativeCpuBackend extends MathBackendCPU {
  readonly pool = new BufferPool(MAX_POOLED_BYTES);

  constructor() {
    super();
    // MathBackendCPU's first write prints "install tfjs-node to speed things up"; we are the speed-up.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: Values, shape: number[], dtype: DataType): DataId {
    const dataId = super.write(values, shape, dtype);
    this.pool.retain(values);
    return dataId;
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: DataType, refCount: number): void {
    if (this.data.has(dataId)) this.pool.release(this.data.get(dataId).values);
    super.move(dataId, values, shape, dtype, refCount);
    this.pool.retain(values);
  }

  override readSync(dataId: DataId): Values {
    if (this.data.has(dataId)) this.pool.escape(this.data.get(dataId).values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return released;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}

/** The kernels that run natively on 'headstart-cpu' (everything else is the reference 'cpu' kernel). */
export function nativeKernelConfigs(addon: NativeAddon): KernelConfig[] {
  const ctx: KernelContext = { addon };
  return [
    ...matmulKernels(ctx),
    ...elementwiseKernels(ctx),
    ...reduceKernels(ctx),
    ...layoutKernels(ctx),
    ...fusedKernels(ctx),
    ...attentionKernels(ctx),
  ];
}

let registered: { addon: NativeAddon; nativeKernels: string[] } | undefined;

/**
 * Registers 'headstart-cpu' (idempotent): all 'cpu' kernels, then the native ones on top. `threads`
 * sets the kernel pool (the caller's thread plus threads - 1 helpers; OpenBLAS itself stays at 1).
 */
export function registerNativeCpuBackend(addon: NativeAddon, threads: number): string[] {
  addon.setThreads(threads);
  // Again on every call: a later import of a TF.js bundle re-registers the stock gradients.
  registerSoftmaxGradient();
  if (registered) return registered.nativeKernels;
  const native = nativeKernelConfigs(addon);
  const nativeNames = new Set(native.map((k) => k.kernelName));
  // The kernel registry is process-global (shared by every copy of tfjs-core): register each name once.
  const fresh = (name: string) => !getKernel(name, NATIVE_BACKEND_NAME);
  for (const kernel of getKernelsForBackend('cpu')) {
    if (!nativeNames.has(kernel.kernelName) && fresh(kernel.kernelName)) {
      registerKernel({ ...kernel, backendName: NATIVE_BACKEND_NAME });
    }
  }
  for (const kernel of native) if (fresh(kernel.kernelName)) registerKernel(kernel);
  if (!findBackendFactory(NATIVE_BACKEND_NAME)) {
    registerBackend(NATIVE_BACKEND_NAME, () => new NativeCpuBackend(), 3);
  }
  registered = { addon, nativeKernels: [...nativeNames].sort() };
  return registered.nativeKernels;
}
