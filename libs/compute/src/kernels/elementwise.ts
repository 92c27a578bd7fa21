// Native float32 elementwise kernels: broadcasting binary ops and unary maps. Other dtypes (int32 masks,
// bool) go to the reference kernels, which are fast enough for the small tensors they appear in.
import {
  Abs,
  Add,
  Elu,
  Erf,
  Exp,
  LeakyRelu,
  Log,
  Maximum,
  Minimum,
  Multiply,
  Neg,
  Pow,
  RealDiv,
  Reciprocal,
  Relu,
  Relu6,
  Rsqrt,
  Sigmoid,
  Sqrt,
  Square,
  SquaredDifference,
  Step,
  Sub,
  Tanh,
} from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BinaryOp, UnaryOp } from '../native/addon';
import { broadcastPlan } from './broadcast';
import type { KernelArgs, KernelContext } from './util';
import { allocFloats, floats, input, kernelConfig, reference, sizeOf } from './util';

function binaryKernel(ctx: KernelContext, name: string, op: number): KernelConfig {
  const fallback = reference(name);
  return kernelConfig(name, (args: KernelArgs) => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const av = floats(args.backend, a);
    const bv = floats(args.backend, b);
    const plan = av && bv ? broadcastPlan(a.shape, b.shape) : null;
    if (!av || !bv || !plan) return fallback(args);
    const out = allocFloats(args.backend, sizeOf(plan.outShape));
    ctx.addon.binary(op, av, bv, out, plan.dims);
    return args.backend.makeTensorInfo(plan.outShape, 'float32', out);
  });
}

function unaryKernel(ctx: KernelContext, name: string, op: number, alphaAttr?: string): KernelConfig {
  const fallback = reference(name);
  return kernelConfig(name, (args: KernelArgs) => {
    const x = input(args, 'x');
    const xv = floats(args.backend, x);
    if (!xv) return fallback(args);
    const alpha = alphaAttr ? Number(args.attrs[alphaAttr] ?? 0) : 0;
    const out = allocFloats(args.backend, xv.length);
    ctx.addon.unary(op, xv, out, alpha);
    return args.backend.makeTensorInfo(x.shape, 'float32', out);
  });
}

export function elementwiseKernels(ctx: KernelContext): KernelConfig[] {
  return [
    binaryKernel(ctx, Add, BinaryOp.add),
    binaryKernel(ctx, Sub, BinaryOp.sub),
    binaryKernel(ctx, Multiply, BinaryOp.mul),
    binaryKernel(ctx, RealDiv, BinaryOp.div),
    binaryKernel(ctx, Maximum, BinaryOp.maximum),
    binaryKernel(ctx, Minimum, BinaryOp.minimum),
    binaryKernel(ctx, SquaredDifference, BinaryOp.squaredDifference),
    binaryKernel(ctx, Pow, BinaryOp.pow),
    unaryKernel(ctx, Exp, UnaryOp.exp),
    unaryKernel(ctx, Log, UnaryOp.log),
    unaryKernel(ctx, Neg, UnaryOp.neg),
    unaryKernel(ctx, Sqrt, UnaryOp.sqrt),
    unaryKernel(ctx, Rsqrt, UnaryOp.rsqrt),
    unaryKernel(ctx, Square, UnaryOp.square),
    unaryKernel(ctx, Relu, UnaryOp.relu),
    unaryKernel(ctx, Relu6, UnaryOp.relu6),
    unaryKernel(ctx, Erf, UnaryOp.erf),
    unaryKernel(ctx, Tanh, UnaryOp.tanh),
    unaryKernel(ctx, Sigmoid, UnaryOp.sigmoid),
    unaryKernel(ctx, Abs, UnaryOp.abs),
    unaryKernel(ctx, Reciprocal, UnaryOp.reciprocal),
    unaryKernel(ctx, Elu, UnaryOp.elu),
    unaryKernel(ctx, Step, UnaryOp.step, 'alpha'),
    unaryKernel(ctx, LeakyRelu, UnaryOp.leakyRelu, 'alpha'),
  ];
}
