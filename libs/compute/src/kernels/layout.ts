// Transpose, GatherV2 and UnsortedSegmentSum (the gradient of gather, i.e. of every embedding lookup:
// the reference kernel makes one masked pass per segment, minutes per step at an 8k vocabulary).
import { GatherV2, OneHot, ScatterNd, Transpose, UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelContext } from './util';
import { allocFloats, floats, input, ints, kernelConfig, reference, sizeOf } from './util';

const MAX_RANK = 6;

/** Drops size-1 axes and merges runs of axes that stay adjacent and in order under `perm`. */
export function collapseTranspose(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  const renumber: number[] = [];
  let next = 0;
  for (let i = 0; i < shape.length; i++) renumber.push(keep[i] ? next++ : -1);
  const p1 = perm.filter((a) => keep[a]).map((a) => renumber[a] as number);
  const s1 = shape.filter((d) => d !== 1);
  // Group input axes: each maximal run in p1 of consecutive increasing axes becomes one axis.
  const groups: number[][] = [];
  for (const a of p1) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] === a - 1) g.push(a);
    else groups.push([a]);
  }
  const order = groups.map((g) => g[0] as number);
  const sortedStarts = [...order].sort((x, y) => x - y);
  const newShape = sortedStarts.map((start) => {
    const g = groups.find((gr) => gr[0] === start) as number[];
    return sizeOf(g.map((a) => s1[a] as number));
  });
  const newPerm = order.map((start) => sortedStarts.indexOf(start));
  return { shape: newShape.length ? newShape : [1], perm: newPerm.length ? newPerm : [0] };
}

function transposeKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(Transpose);
  return kernelConfig(Transpose, (args: KernelArgs) => {
    const x = input(args, 'x');
    const perm = args.attrs['perm'] as number[];
    const values = args.backend.data.get(x.dataId).values;
    const native =
      values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array;
    const plan = collapseTranspose(x.shape, perm);
    if (!native || plan.shape.length > MAX_RANK) return fallback(args);
    const outShape = perm.map((a) => x.shape[a] as number);
    const size = sizeOf(x.shape);
    const out =
      values instanceof Float32Array
        ? allocFloats(args.backend, size)
        : values instanceof Int32Array
          ? new Int32Array(size)
          : new Uint8Array(size);
    if (plan.perm.every((a, i) => a === i)) out.set(values.subarray(0, size));
    else ctx.addon.transpose(values, out, Int32Array.from(plan.shape), Int32Array.from(plan.perm));
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  });
}

function gatherKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(GatherV2);
  return kernelConfig(GatherV2, (args: KernelArgs) => {
    const x = input(args, 'x');
    const indices = input(args, 'indices');
    const values = args.backend.data.get(x.dataId).values;
    const idx = ints(args.backend, indices);
    const batchDims = Number(args.attrs['batchDims'] ?? 0);
    if (!idx || batchDims !== 0 || !(values instanceof Float32Array || values instanceof Int32Array)) {
      return fallback(args);
    }
    const rank = x.shape.length;
    let axis = Number(args.attrs['axis'] ?? 0);
    if (axis < 0) axis += rank;
    const axisDim = x.shape[axis] as number;
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const size = outer * idx.length * inner;
    const out = values instanceof Float32Array ? allocFloats(args.backend, size) : new Int32Array(size);
    const bad = ctx.addon.gather(values, idx, out, outer, axisDim, inner);
    if (bad >= 0) {
      throw new Error(`GatherV2: the index value ${idx[bad]} is not in [0, ${axisDim - 1}]`);
    }
    return args.backend.makeTensorInfo(outShape, x.dtype, out);
  });
}

function segmentSumKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(UnsortedSegmentSum);
  return kernelConfig(UnsortedSegmentSum, (args: KernelArgs) => {
    const x = input(args, 'x');
    const segmentIds = input(args, 'segmentIds');
    const xv = floats(args.backend, x);
    const ids = ints(args.backend, segmentIds);
    if (!xv || !ids) return fallback(args);
    const numSegments = Number(args.attrs['numSegments']);
    const innerShape = x.shape.slice(segmentIds.shape.length);
    const inner = sizeOf(innerShape);
    const out = allocFloats(args.backend, numSegments * inner);
    ctx.addon.segmentSum(xv, ids, out, inner, numSegments);
    return args.backend.makeTensorInfo([numSegments, ...innerShape], 'float32', out);
  });
}

// scatterND with one index per row (indices [n, 1]) into [rows, ...]: the embedding gradient written as
// a scatter-add. Duplicates sum, exactly as unsortedSegmentSum; other index ranks use the reference.
function scatterNdKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(ScatterNd);
  return kernelConfig(ScatterNd, (args: KernelArgs) => {
    const indices = input(args, 'indices');
    const updates = input(args, 'updates');
    const shape = args.attrs['shape'] as number[];
    const ids = ints(args.backend, indices);
    const uv = floats(args.backend, updates);
    const rowIndexed = indices.shape[indices.shape.length - 1] === 1 && shape.length >= 1;
    if (!ids || !uv || !rowIndexed) return fallback(args);
    const rows = shape[0] as number;
    const inner = sizeOf(shape.slice(1));
    if (uv.length !== ids.length * inner) return fallback(args);
    for (const i of ids) {
      if (i < 0 || i >= rows) throw new Error(`Invalid indices: ${i} does not index into ${shape}`);
    }
    const out = allocFloats(args.backend, rows * inner);
    ctx.addon.segmentSum(uv, ids, out, inner, rows);
    return args.backend.makeTensorInfo(shape, 'float32', out);
  });
}

function oneHotKernel(): KernelConfig {
  const fallback = reference(OneHot);
  return kernelConfig(OneHot, (args: KernelArgs) => {
    const indices = input(args, 'indices');
    const ids = ints(args.backend, indices);
    const depth = Number(args.attrs['depth']);
    if (!ids || args.attrs['dtype'] !== 'float32') return fallback(args);
    const out = allocFloats(args.backend, ids.length * depth);
    out.fill(Number(args.attrs['offValue']));
    const on = Number(args.attrs['onValue']);
    ids.forEach((id, row) => {
      if (id >= 0 && id < depth) out[row * depth + id] = on;
    });
    return args.backend.makeTensorInfo([...indices.shape, depth], 'float32', out);
  });
}

export function layoutKernels(ctx: KernelContext): KernelConfig[] {
  return [
    transposeKernel(ctx),
    gatherKernel(ctx),
    segmentSumKernel(ctx),
    scatterNdKernel(ctx),
    oneHotKernel(),
  ];
}
