// BatchMatMul and _FusedMatMul over OpenBLAS sgemm: every transpose combination is an sgemm flag, batch
// broadcasting is a zero stride, and a batched A times a shared 2-D B is folded into one tall sgemm.
import { _FusedMatMul, backend_util, BatchMatMul } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BinaryOp, UnaryOp } from '../native/addon';
import { broadcastPlan } from './broadcast';
import type { KernelArgs, KernelContext } from './util';
import { allocFloats, discardFloats, floats, input, kernelConfig, reference, sizeOf } from './util';

const ACTIVATIONS: Record<string, number | undefined> = {
  relu: UnaryOp.relu,
  relu6: UnaryOp.relu6,
  sigmoid: UnaryOp.sigmoid,
  elu: UnaryOp.elu,
  leakyrelu: UnaryOp.leakyRelu,
};

interface Product {
  shape: number[];
  values: Float32Array;
  /** The bias was added by the matmul call itself. */
  biasAdded: boolean;
}

/** `bias` when it is one value per output column (added to every row by the sgemm call), else null. */
function rowBias(
  backend: KernelArgs['backend'],
  bias: TensorInfo | undefined,
  n: number,
): Float32Array | null {
  if (!bias || bias.shape[bias.shape.length - 1] !== n || sizeOf(bias.shape) !== n) return null;
  return floats(backend, bias);
}

function matmul(
  ctx: KernelContext,
  args: KernelArgs,
  bias: TensorInfo | undefined = undefined,
): Product | null {
  const a = input(args, 'a');
  const b = input(args, 'b');
  const av = floats(args.backend, a);
  const bv = floats(args.backend, b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const transA = Boolean(args.attrs['transposeA']);
  const transB = Boolean(args.attrs['transposeB']);
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = a.shape[transA ? ar - 1 : ar - 2] as number;
  const k = a.shape[transA ? ar - 2 : ar - 1] as number;
  const kb = b.shape[transB ? br - 1 : br - 2] as number;
  const n = b.shape[transB ? br - 2 : br - 1] as number;
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${transA} and transposeB=${transB} must match.`,
    );
  }
  const outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(outer);
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  // Only whole-operand broadcasting maps to a stride; mixed patterns like [2,1]x[1,3] fall back.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const values = allocFloats(args.backend, batch * m * n);
  const biasValues = rowBias(args.backend, bias, n);
  if (batchB === 1 && !transA && batch > 1) {
    ctx.addon.matmul(av, bv, values, 1, batch * m, n, k, false, transB, 0, 0, biasValues);
  } else {
    const strideA = batchA === 1 ? 0 : m * k;
    const strideB = batchB === 1 ? 0 : k * n;
    ctx.addon.matmul(av, bv, values, batch, m, n, k, transA, transB, strideA, strideB, biasValues);
  }
  return { shape: [...outer, m, n], values, biasAdded: biasValues !== null };
}

function batchMatMulKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(BatchMatMul);
  return kernelConfig(BatchMatMul, (args: KernelArgs) => {
    const product = matmul(ctx, args);
    if (!product) return fallback(args);
    return args.backend.makeTensorInfo(product.shape, 'float32', product.values);
  });
}

function fusedMatMulKernel(ctx: KernelContext): KernelConfig {
  const fallback = reference(_FusedMatMul);
  return kernelConfig(_FusedMatMul, (args: KernelArgs) => {
    const activation = String(args.attrs['activation'] ?? 'linear');
    const actOp = ACTIVATIONS[activation];
    if (activation !== 'linear' && actOp === undefined) return fallback(args);
    const bias: TensorInfo | undefined = args.inputs['bias'];
    const biasValues = bias ? floats(args.backend, bias) : null;
    if (bias && !biasValues) return fallback(args);
    const product = matmul(ctx, args, bias);
    if (!product) return fallback(args);
    if (bias && biasValues && !product.biasAdded) {
      const plan = broadcastPlan(product.shape, bias.shape);
      if (!plan || sizeOf(plan.outShape) !== product.values.length) {
        discardFloats(args.backend, product.values);
        return fallback(args);
      }
      ctx.addon.binary(BinaryOp.add, product.values, biasValues, product.values, plan.dims);
    }
    if (actOp !== undefined) {
      ctx.addon.unary(actOp, product.values, product.values, Number(args.attrs['leakyreluAlpha'] ?? 0.2));
    }
    return args.backend.makeTensorInfo(product.shape, 'float32', product.values);
  });
}

export function matmulKernels(ctx: KernelContext): KernelConfig[] {
  return [batchMatMulKernel(ctx), fusedMatMulKernel(ctx)];
}
