// Sum/Mean/Max/Min/Prod over any axes, and Softmax over the last axis. Reduced axes that form one
// contiguous block (the common cases: last axis, leading axes for bias gradients) reduce in place;
// other patterns are transposed natively first so the reduced axes come last.
import { Max, Mean, Min, Prod, Softmax, Sum } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../native/addon';
import type { KernelArgs, KernelContext } from './util';
import {
  allocFloats,
  discardFloats,
  floats,
  input,
  kernelConfig,
  normalizeAxes,
  reference,
  sizeOf,
} from './util';

function reduceKernel(ctx: KernelContext, name: string, op: number, axisAttr: string): KernelConfig {
  const fallback = reference(name);
  return kernelConfig(name, (args: KernelArgs) => {
    const x = input(args, 'x');
    const xv = floats(args.backend, x);
    if (!xv) return fallback(args);
    const rank = x.shape.length;
    const axes = normalizeAxes(args.attrs[axisAttr] as number | number[] | undefined, rank);
    const keepDims = Boolean(args.attrs['keepDims']);
    const outShape: number[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.includes(i)) outShape.push(d);
      else if (keepDims) outShape.push(1);
    });
    // Axes of size 1 do not change the layout; ignore them when looking for a contiguous block.
    const active = axes.filter((a) => x.shape[a] !== 1);
    const first = active[0] ?? 0;
    const last = active[active.length - 1] ?? -1;
    const contiguous = active.length === 0 || last - first + 1 === active.length;
    let source = xv;
    let outer: number;
    let mid: number;
    let inner: number;
    if (contiguous) {
      outer = sizeOf(x.shape.slice(0, first));
      mid = active.length === 0 ? 1 : sizeOf(x.shape.slice(first, last + 1));
      inner = active.length === 0 ? sizeOf(x.shape.slice(first)) : sizeOf(x.shape.slice(last + 1));
      if (active.length === 0) outer = 1;
    } else {
      const kept = [...x.shape.keys()].filter((i) => !axes.includes(i));
      const perm = [...kept, ...axes];
      source = allocFloats(args.backend, xv.length);
      ctx.addon.transpose(xv, source, Int32Array.from(x.shape), Int32Array.from(perm));
      outer = sizeOf(kept.map((i) => x.shape[i] as number));
      mid = sizeOf(axes.map((i) => x.shape[i] as number));
      inner = 1;
    }
    const out = allocFloats(args.backend, outer * inner);
    ctx.addon.reduce(op, source, out, outer, mid, inner);
    if (source !== xv) discardFloats(args.backend, source);
    return args.backend.makeTensorInfo(outShape, 'float32', out);
  });
}

function softmaxKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(Softmax);
  return kernelConfig(Softmax, (args: KernelArgs) => {
    const logits = input(args, 'logits');
    const xv = floats(args.backend, logits);
    const rank = logits.shape.length;
    const dim = Number(args.attrs['dim'] ?? -1);
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return fallback(args);
    const cols = logits.shape[rank - 1] as number;
    const out = allocFloats(args.backend, xv.length);
    ctx.addon.softmax(xv, out, cols === 0 ? 0 : xv.length / cols, cols, false);
    return args.backend.makeTensorInfo(logits.shape, 'float32', out);
  });
}

export function reduceKernels(ctx: KernelContext): KernelConfig[] {
  return [
    reduceKernel(ctx, Sum, ReduceOp.sum, 'axis'),
    reduceKernel(ctx, Mean, ReduceOp.mean, 'axis'),
    reduceKernel(ctx, Max, ReduceOp.max, 'reductionIndices'),
    reduceKernel(ctx, Min, ReduceOp.min, 'axis'),
    reduceKernel(ctx, Prod, ReduceOp.prod, 'axis'),
    softmaxKernel(ctx),
  ];
}
