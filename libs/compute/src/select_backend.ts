// Picks the TF.js backend for training and inference, and says which and why.
//
//   auto        tfjs-node-gpu if it loads and the machine has an NVIDIA GPU, else tfjs-node, else the
//               fastest CPU path ('headstart-cpu'), else pure-JS 'cpu' (loud warning)
//   gpu         tfjs-node-gpu on a visible NVIDIA GPU, or fail at once: a GPU pod that cannot use its GPU
//               must not train on CPU while it holds the device (the prod GPU workers set this)
//   tensorflow  tfjs-node-gpu or tfjs-node (libtensorflow); fails if neither is installed
//   wasm        @tensorflow/tfjs-backend-wasm if installed (not a workspace dependency; see README)
//   cpu         'headstart-cpu' (OpenBLAS kernels), else pure-JS 'cpu' with a loud warning
//
// The tfjs-node packages are never dependencies: their install downloads libtensorflow, which only the
// GPU deploy image does. They are loaded with a guarded require so the workspace runs without them.
import fs from 'node:fs';
import os from 'node:os';
import { tf } from './tf';
import { installJsCpuFixes } from './backend/js_cpu_fixes';
import { cpuBudget } from './cpu_budget';
import { registerNativeCpuBackend } from './backend/native_backend';
import { NATIVE_BACKEND_NAME } from './kernels/util';
import { loadNativeAddon } from './native/addon';

export type BackendChoice = 'auto' | 'gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Every choice, in the order the configuration tables list them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'gpu', 'tensorflow', 'wasm', 'cpu'];
export type BackendKind = 'gpu' | 'native-cpu' | 'wasm' | 'js-cpu';

export interface BackendInfo {
  /** The TF.js backend name now active (tf.getBackend()). */
  name: string;
  kind: BackendKind;
  /** Threads the backend computes with (for tfjs-node: as configured at its load, see README). */
  threads: number;
  details: Record<string, string | number | boolean>;
}

/** pino-compatible; selectBackend logs its choice at info and every fallback at warn. */
export interface ComputeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SelectBackendOptions {
  backend: BackendChoice;
  logger?: ComputeLogger;
  /** Kernel threads for 'headstart-cpu' and wasm. Default: the cores this process may use (cpuBudget). */
  threads?: number;
  /**
   * Threads inside each OpenBLAS sgemm on 'headstart-cpu'. Default 1: the kernel pool (`threads`) splits
   * matmuls itself, so only one set of threads competes for the cores (see README, Threads).
   */
  blasThreads?: number;
}

const defaultLogger: ComputeLogger = {
  info: () => undefined,
  // Without a logger a fallback must still be seen: a silent 100x slowdown is the failure we guard.
  warn: (obj, msg) => process.emitWarning(`${msg ?? ''} ${JSON.stringify(obj)}`, 'HeadstartComputeWarning'),
};

export function countNvidiaGpus(): number {
  try {
    return fs.readdirSync('/proc/driver/nvidia/gpus').length;
  } catch {
    return 0;
  }
}

function tryLoad(name: string): { ok: true; module: unknown } | { ok: false; reason: string } {
  try {
    // A guarded dynamic require: these packages are optional and absent from the workspace.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module: unknown = require(name);
    return { ok: true, module };
  } catch (err) {
    return { ok: false, reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '' };
  }
}
async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`TF.js backend '${name}' failed to initialise`);
  await tf.ready();
}

interface TensorflowResult {
  info?: BackendInfo;
  /** Why each tensorflow package was not used. */
  reasons: string[];
}

// tfjs-node-gpu and tfjs-node both register the 'tensorflow' backend; at most one may be loaded.
async function useTensorflow(log: ComputeLogger, gpuRequired: boolean): Promise<TensorflowResult> {
  const reasons: string[] = [];
  const gpuPackage = '@tensorflow/tfjs-node-gpu';
  const gpu = tryLoad(gpuPackage);
  if (gpu.ok) {
    const gpus = countNvidiaGpus();
    if (gpus > 0 || !gpuRequired) {
      await activate('tensorflow');
      log.info({ backend: 'tensorflow', package: gpuPackage, gpus }, 'compute backend selected');
      const kind: BackendKind = gpus > 0 ? 'gpu' : 'native-cpu';
      return { info: tensorflowInfo(kind, gpuPackage, gpus), reasons };
    }
    // Loaded without a GPU it would run libtensorflow on the CPU, and tfjs-node can no longer load.
    reasons.push(`${gpuPackage} loaded but no NVIDIA GPU is visible`);
    return { reasons };
  }
  reasons.push(`${gpuPackage} not loadable: ${gpu.reason}`);
  const cpuPackage = '@tensorflow/tfjs-node';
  const cpu = tryLoad(cpuPackage);
  if (cpu.ok) {
    await activate('tensorflow');
    log.info({ backend: 'tensorflow', package: cpuPackage }, 'compute backend selected');
    return { info: tensorflowInfo('native-cpu', cpuPackage, 0), reasons };
  }
  reasons.push(`${cpuPackage} not loadable: ${cpu.reason}`);
  return { reasons };
}

function tensorflowInfo(kind: BackendKind, pkg: string, gpus: number): BackendInfo {
  // libtensorflow sizes its own thread pools at load (TF_NUM_INTRAOP_THREADS); report the cores.
  return { name: 'tensorflow', kind, threads: os.availableParallelism(), details: { package: pkg, gpus } };
}

async function useNativeCpu(
  threads: number,
  blasThreads: number,
  log: ComputeLogger,
  reasons: string[],
): Promise<BackendInfo> {
  const loaded = loadNativeAddon();
  if (loaded.ok) {
    const kernels = registerNativeCpuBackend(loaded.addon, threads);
    loaded.addon.setBlasThreads(blasThreads);
    await activate(NATIVE_BACKEND_NAME);
    const details = {
      addon: loaded.path,
      blas: loaded.addon.blasConfig().trim(),
      blasThreads,
      nativeKernels: kernels.length,
    };
    log.info(
      { backend: NATIVE_BACKEND_NAME, threads, ...details, skipped: reasons },
      'compute backend selected',
    );
    return { name: NATIVE_BACKEND_NAME, kind: 'native-cpu', threads: loaded.addon.threads(), details };
  }
  installJsCpuFixes();
  await activate('cpu');
  log.warn(
    { backend: 'cpu', reason: loaded.reason, skipped: reasons },
    'NATIVE KERNELS MISSING: training runs on the pure-JS cpu backend, about 100x slower than it should',
  );
  return { name: 'cpu', kind: 'js-cpu', threads: 1, details: { reason: loaded.reason } };
}

async function useWasm(threads: number, log: ComputeLogger): Promise<BackendInfo> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  const loaded = tryLoad(pkg);
  if (!loaded.ok) {
    throw new Error(
      `backend 'wasm' requested but ${pkg} is not installed (${loaded.reason}); add it to the image, or use 'cpu'`,
    );
  }
  (loaded.module as { setThreadsCount?: (n: number) => void }).setThreadsCount?.(threads);
  await activate('wasm');
  log.info({ backend: 'wasm', threads }, 'compute backend selected');
  return { name: 'wasm', kind: 'wasm', threads, details: { package: pkg } };
}

/** Activates the backend `options.backend` asks for (see the table at the top of this file). */
export async function selectBackend(options: SelectBackendOptions): Promise<BackendInfo> {
  const log = options.logger ?? defaultLogger;
  const threads = Math.max(1, Math.floor(options.threads ?? cpuBudget().cores));
  const blasThreads = Math.max(1, Math.floor(options.blasThreads ?? 1));
  switch (options.backend) {
    case 'tensorflow': {
      const result = await useTensorflow(log, false);
      if (result.info) return result.info;
      throw new Error(`backend 'tensorflow' requested but unavailable: ${result.reasons.join('; ')}`);
    }
    case 'gpu': {
      const result = await useTensorflow(log, true);
      if (result.info?.kind === 'gpu') return result.info;
      throw new Error(
        `backend 'gpu' requested but no GPU can be used (${result.reasons.join('; ')}): check the NVIDIA ` +
          'driver and device plugin on this node and the GPU image, or set HEADSTART_BACKEND=auto to allow the CPU',
      );
    }
    case 'auto': {
      const result = await useTensorflow(log, true);
      return result.info ?? useNativeCpu(threads, blasThreads, log, result.reasons);
    }
    case 'cpu':
      return useNativeCpu(threads, blasThreads, log, []);
    case 'wasm':
      return useWasm(threads, log);
    default:
      throw new Error(
        `unknown backend '${String(options.backend)}' (expected ${BACKEND_CHOICES.join(', ')})`,
      );
  }
}
