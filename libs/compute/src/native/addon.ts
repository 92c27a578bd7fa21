// Loads the compiled OpenBLAS kernels (build/Release/headstart_compute.node, see binding.gyp). Loading is
// guarded: a missing or broken build is reported as a reason, never thrown, so callers can fall back to
// TF.js's pure-JS kernels and say why.
import path from 'node:path';

// Op codes shared with native/kernels.h (keep the numbers in sync).
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  squaredDifference: 6,
  pow: 7,
} as const;

export const UnaryOp = {
  exp: 0,
  log: 1,
  neg: 2,
  sqrt: 3,
  rsqrt: 4,
  square: 5,
  relu: 6,
  erf: 7,
  tanh: 8,
  sigmoid: 9,
  abs: 10,
  reciprocal: 11,
  step: 12,
  geluErf: 13,
  geluErfGrad: 14,
  relu6: 15,
  elu: 16,
  leakyRelu: 17,
} as const;

export const ReduceOp = { sum: 0, max: 1, min: 2, mean: 3, prod: 4 } as const;

type Floats = Float32Array;
type Ints = Int32Array;

/** The functions native/addon.cc exports. Sizes are element counts; every call checks them. */
export interface NativeAddon {
  setThreads(threads: number): number;
  threads(): number;
  /** Threads inside one OpenBLAS sgemm; 1 lets the kernel pool split matmuls (see native/gemm.cc). */
  setBlasThreads(threads: number): number;
  blasConfig(): string;
  /** Fork-join pool counters: jobs run in parallel, waits > 1 ms on a descheduled helper, and how
   * often (and for how many more jobs) the pool fell back to serial because of them. */
  poolStats(): { parallelJobs: number; stalls: number; serialSwitches: number; serialJobsLeft: number };
  matmul(
    a: Floats,
    b: Floats,
    c: Floats,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    strideA: number,
    strideB: number,
    /** n values added to every row of C, by each part of the product while it is in cache. */
    bias?: Floats | null,
  ): void;
  /** dims = [rank, ...shape, ...strideA, ...strideB] of the (collapsed) output. */
  binary(op: number, a: Floats, b: Floats, out: Floats, dims: Ints): void;
  unary(op: number, x: Floats, out: Floats, alpha: number): void;
  reduce(op: number, x: Floats, out: Floats, outer: number, mid: number, inner: number): void;
  softmax(x: Floats, out: Floats, rows: number, cols: number, log: boolean): void;
  transpose(x: Floats | Ints | Uint8Array, out: Floats | Ints | Uint8Array, shape: Ints, perm: Ints): void;
  gather(
    x: Floats | Ints,
    indices: Ints,
    out: Floats | Ints,
    outer: number,
    axisDim: number,
    inner: number,
  ): number;
  segmentSum(x: Floats, ids: Ints, out: Floats, inner: number, numSegments: number): void;
  layerNorm(x: Floats, gamma: Floats, beta: Floats, out: Floats, rows: number, d: number, eps: number): void;
  layerNormBackward(
    dy: Floats,
    x: Floats,
    gamma: Floats,
    dx: Floats,
    dgamma: Floats,
    dbeta: Floats,
    rows: number,
    d: number,
    eps: number,
  ): void;
  geluBackward(dy: Floats, x: Floats, dx: Floats): void;
  softmaxBackward(dy: Floats, y: Floats, dx: Floats, rows: number, cols: number): void;
  softmaxXent(logits: Floats, labels: Ints, loss: Floats, rows: number, cols: number): void;
  softmaxXentBackward(
    logits: Floats,
    labels: Ints,
    out: Floats,
    rows: number,
    cols: number,
    scale: number,
  ): void;
  /** Self-attention on q, k, v [batch·seq, heads·headSize]; writes probs [batch, heads, seq, seq] and ctx. */
  attention(
    q: Floats,
    k: Floats,
    v: Floats,
    keyBias: Floats | null,
    dropMask: Floats | null,
    probs: Floats,
    ctx: Floats,
    batch: number,
    seq: number,
    heads: number,
    headSize: number,
    scale: number,
  ): void;
  attentionBackward(
    dctx: Floats,
    q: Floats,
    k: Floats,
    v: Floats,
    probs: Floats,
    dropMask: Floats | null,
    dq: Floats,
    dk: Floats,
    dv: Floats,
    batch: number,
    seq: number,
    heads: number,
    headSize: number,
    scale: number,
  ): void;
  adamw(
    p: Floats,
    g: Floats,
    m: Floats,
    v: Floats,
    pOut: Floats,
    mOut: Floats,
    vOut: Floats,
    beta1: number,
    beta2: number,
    eps: number,
    decay: number,
    stepSize: number,
    bias2Sqrt: number,
    /** Multiplies each gradient first (clipping); 1 when absent. */
    gradScale?: number,
  ): void;
  /** Σ x², accumulated in double. */
  sumSquares(x: Floats): number;
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Where `pnpm build` (scripts/build-native.cjs) puts the addon, relative to src/ and dist/ alike. */
export const addonPath = path.resolve(__dirname, '..', '..', 'build', 'Release', 'headstart_compute.node');

const cache = new Map<string, AddonLoad>();

/** Loads the addon (once per path); `file` is for tests and unusual layouts. */
export function loadNativeAddon(file: string = addonPath): AddonLoad {
  const hit = cache.get(file);
  if (hit) return hit;
  let result: AddonLoad;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(file) as NativeAddon;
    result = { ok: true, addon, path: file };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    result = {
      ok: false,
      reason:
        `native kernels not loadable from ${file} (${message.split('\n')[0]}); build them with ` +
        '`pnpm --filter @headstart/compute run build:native` (needs libopenblas-dev, see .ci/bootstrap.sh)',
    };
  }
  cache.set(file, result);
  return result;
}
