// Kernels behind the fused ops of ops/fused_ops.ts (LayerNorm, GELU, AdamW) and the Softmax gradient.
// They exist only on 'headstart-cpu'; the ops fall back to compositions of standard ops elsewhere.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../native/addon';
import type { KernelArgs, KernelContext } from './util';
import { allocFloats, floats, input, ints, kernelConfig, sizeOf } from './util';

export const FusedKernel = {
  layerNorm: 'HeadstartLayerNorm',
  layerNormGrad: 'HeadstartLayerNormGrad',
  gelu: 'HeadstartGelu',
  geluGrad: 'HeadstartGeluGrad',
  softmaxGrad: 'HeadstartSoftmaxGrad',
  adamw: 'HeadstartAdamW',
  softmaxXent: 'HeadstartSoftmaxXent',
  softmaxXentGrad: 'HeadstartSoftmaxXentGrad',
  sumSquares: 'HeadstartSumSquares',
} as const;

function labelsOf(backend: KernelArgs['backend'], t: TensorInfo): Int32Array {
  const v = ints(backend, t);
  if (!v) throw new Error(`softmax cross-entropy: int32 labels expected, got ${t.dtype}`);
  return v;
}

function need(backend: KernelArgs['backend'], t: TensorInfo, what: string): Float32Array {
  const v = floats(backend, t);
  if (!v) throw new Error(`${what}: float32 input expected, got ${t.dtype}`);
  return v;
}

function rowsOf(x: TensorInfo): { rows: number; d: number } {
  const d = x.shape[x.shape.length - 1] ?? 1;
  return { rows: d === 0 ? 0 : sizeOf(x.shape) / d, d };
}

export function fusedKernels(ctx: KernelContext): KernelConfig[] {
  const { addon } = ctx;
  return [
    kernelConfig(FusedKernel.layerNorm, (args: KernelArgs) => {
      const x = input(args, 'x');
      const { rows, d } = rowsOf(x);
      const out = allocFloats(args.backend, rows * d);
      addon.layerNorm(
        need(args.backend, x, 'layerNorm'),
        need(args.backend, input(args, 'gamma'), 'layerNorm'),
        need(args.backend, input(args, 'beta'), 'layerNorm'),
        out,
        rows,
        d,
        Number(args.attrs['epsilon']),
      );
      return args.backend.makeTensorInfo(x.shape, 'float32', out);
    }),
    kernelConfig(FusedKernel.layerNormGrad, (args: KernelArgs) => {
      const x = input(args, 'x');
      const { rows, d } = rowsOf(x);
      const dx = allocFloats(args.backend, rows * d);
      const dgamma = new Float32Array(d);
      const dbeta = new Float32Array(d);
      addon.layerNormBackward(
        need(args.backend, input(args, 'dy'), 'layerNormGrad'),
        need(args.backend, x, 'layerNormGrad'),
        need(args.backend, input(args, 'gamma'), 'layerNormGrad'),
        dx,
        dgamma,
        dbeta,
        rows,
        d,
        Number(args.attrs['epsilon']),
      );
      return [
        args.backend.makeTensorInfo(x.shape, 'float32', dx),
        args.backend.makeTensorInfo([d], 'float32', dgamma),
        args.backend.makeTensorInfo([d], 'float32', dbeta),
      ];
    }),
    kernelConfig(FusedKernel.gelu, (args: KernelArgs) => {
      const x = input(args, 'x');
      const xv = need(args.backend, x, 'gelu');
      const out = allocFloats(args.backend, xv.length);
      addon.unary(UnaryOp.geluErf, xv, out, 0);
      return args.backend.makeTensorInfo(x.shape, 'float32', out);
    }),
    kernelConfig(FusedKernel.geluGrad, (args: KernelArgs) => {
      const x = input(args, 'x');
      const xv = need(args.backend, x, 'geluGrad');
      const out = allocFloats(args.backend, xv.length);
      addon.geluBackward(need(args.backend, input(args, 'dy'), 'geluGrad'), xv, out);
      return args.backend.makeTensorInfo(x.shape, 'float32', out);
    }),
    kernelConfig(FusedKernel.softmaxGrad, (args: KernelArgs) => {
      const y = input(args, 'y');
      const { rows, d } = rowsOf(y);
      const out = allocFloats(args.backend, rows * d);
      addon.softmaxBackward(
        need(args.backend, input(args, 'dy'), 'softmaxGrad'),
        need(args.backend, y, 'softmaxGrad'),
        out,
        rows,
        d,
      );
      return args.backend.makeTensorInfo(y.shape, 'float32', out);
    }),
    kernelConfig(FusedKernel.softmaxXent, (args: KernelArgs) => {
      const logits = input(args, 'logits');
      const { rows, d } = rowsOf(logits);
      const loss = new Float32Array(rows);
      addon.softmaxXent(
        need(args.backend, logits, 'softmaxXent'),
        labelsOf(args.backend, input(args, 'labels')),
        loss,
        rows,
        d,
      );
      return args.backend.makeTensorInfo([rows], 'float32', loss);
    }),
    kernelConfig(FusedKernel.softmaxXentGrad, (args: KernelArgs) => {
      const logits = input(args, 'logits');
      const { rows, d } = rowsOf(logits);
      const out = allocFloats(args.backend, rows * d);
      const scale = Number(args.attrs['scale']);
      addon.softmaxXentBackward(
        need(args.backend, logits, 'softmaxXentGrad'),
        labelsOf(args.backend, input(args, 'labels')),
        out,
        rows,
        d,
        scale,
      );
      return args.backend.makeTensorInfo(logits.shape, 'float32', out);
    }),
    // Σ x² over every input (any number of them, named by position), in double, as one float32 scalar.
    kernelConfig(FusedKernel.sumSquares, (args: KernelArgs) => {
      let total = 0;
      for (const t of Object.values(args.inputs)) {
        if (t) total += addon.sumSquares(need(args.backend, t, 'sumSquares'));
      }
      return args.backend.makeTensorInfo([], 'float32', Float32Array.of(total));
    }),
    kernelConfig(FusedKernel.adamw, (args: KernelArgs) => {
      const p = input(args, 'param');
      const n = sizeOf(p.shape);
      const outs = [
        allocFloats(args.backend, n),
        allocFloats(args.backend, n),
        allocFloats(args.backend, n),
      ] as const;
      const a = args.attrs;
      addon.adamw(
        need(args.backend, p, 'adamw'),
        need(args.backend, input(args, 'grad'), 'adamw'),
        need(args.backend, input(args, 'm'), 'adamw'),
        need(args.backend, input(args, 'v'), 'adamw'),
        ...outs,
        Number(a['beta1']),
        Number(a['beta2']),
        Number(a['epsilon']),
        Number(a['decay']),
        Number(a['stepSize']),
        Number(a['bias2Sqrt']),
        Number(a['gradScale'] ?? 1),
      );
      return outs.map((values) => args.backend.makeTensorInfo(p.shape, 'float32', values));
    }),
  ];
}
