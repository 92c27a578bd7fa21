// @headstart/compute: one TF.js instance for every package, backend selection, and the native
// OpenBLAS-backed CPU backend ('headstart-cpu').
export { tf } from './tf';
export { BACKEND_CHOICES, selectBackend, countNvidiaGpus } from './select_backend';
export { cgroupCpuQuota, cpuBudget } from './cpu_budget';
export type { CpuBudget } from './cpu_budget';
export type {
  BackendChoice,
  BackendInfo,
  BackendKind,
  ComputeLogger,
  SelectBackendOptions,
} from './select_backend';
export { NATIVE_BACKEND_NAME } from './kernels/util';
export { registerNativeCpuBackend, nativeKernelConfigs, NativeCpuBackend } from './backend/native_backend';
export { installJsCpuFixes } from './backend/js_cpu_fixes';
export { loadNativeAddon, addonPath } from './native/addon';
export type { AddonLoad, NativeAddon } from './native/addon';
export { adamwUpdate, gelu, layerNorm, softmaxCrossEntropy, sumOfSquares } from './ops/fused_ops';
export type { AdamWHyper } from './ops/fused_ops';
export { selfAttention } from './ops/attention';
export { variableGrads } from './ops/variable_grads';
export type { AttentionOptions } from './ops/attention';
