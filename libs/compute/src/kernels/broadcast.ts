// Turns two broadcastable shapes into the smallest equivalent strided walk for native/elementwise.cc:
// size-1 output axes are dropped and neighbouring axes merged wherever both operands stay contiguous
// (or both broadcast), so `[B, S, D] + [D]` becomes a 2-D walk `[B*S, D]` with strides `[D, 1]`/`[0, 1]`.
import { backend_util } from '@tensorflow/tfjs-core';

const MAX_RANK = 6;

export interface BroadcastPlan {
  outShape: number[];
  /** [rank, ...shape, ...strideA, ...strideB] as native `binary` takes it. */
  dims: Int32Array;
}

function operandStrides(shape: readonly number[], outRank: number): number[] {
  const strides = new Array<number>(outRank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const dim = shape[i] as number;
    strides[outRank - shape.length + i] = dim === 1 ? 0 : stride;
    stride *= dim;
  }
  return strides;
}

const cache = new Map<string, BroadcastPlan | null>();

/** The walk for `a op b`, or null when it needs more than the native rank limit. */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  const key = `${aShape.join(',')}|${bShape.join(',')}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const plan = computePlan(aShape, bShape);
  if (cache.size > 4096) cache.clear();
  cache.set(key, plan);
  return plan;
}

function computePlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  const outShape = backend_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const rank = outShape.length;
  const sa = operandStrides(aShape, rank);
  const sb = operandStrides(bShape, rank);
  const shape: number[] = [];
  const strideA: number[] = [];
  const strideB: number[] = [];
  for (let d = 0; d < rank; d++) {
    const n = outShape[d] as number;
    if (n === 1) continue;
    const last = shape.length - 1;
    const a = sa[d] as number;
    const b = sb[d] as number;
    // Merge into the previous axis when stepping it equals stepping this axis n times, for both operands.
    if (last >= 0 && strideA[last] === a * n && strideB[last] === b * n) {
      shape[last] = (shape[last] as number) * n;
      strideA[last] = a;
      strideB[last] = b;
    } else {
      shape.push(n);
      strideA.push(a);
      strideB.push(b);
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    strideA.push(0);
    strideB.push(0);
  }
  if (shape.length > MAX_RANK) return null;
  const r = shape.length;
  const dims = new Int32Array(1 + 3 * r);
  dims[0] = r;
  dims.set(shape, 1);
  dims.set(strideA, 1 + r);
  dims.set(strideB, 1 + 2 * r);
  return { outShape, dims };
}
