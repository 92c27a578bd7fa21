// Kernels behind ops/attention.ts: multi-head self-attention forward (context and the softmax
// probabilities it saves) and backward (dq, dk, dv), each one native call over every (batch item, head).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelContext } from './util';
import { allocFloats, floats, input, kernelConfig, sizeOf } from './util';

export const AttentionKernel = {
  forward: 'HeadstartAttention',
  /** The same kernel with a dropMask input (its gradient saves the mask too). */
  forwardDropout: 'HeadstartAttentionDropout',
  backward: 'HeadstartAttentionGrad',
} as const;

interface Shape {
  batch: number;
  seq: number;
  heads: number;
  headSize: number;
  scale: number;
}

function shapeOf(args: KernelArgs): Shape {
  const a = args.attrs;
  const heads = Number(a['heads']);
  const d = input(args, 'q').shape[1] as number;
  return {
    batch: Number(a['batch']),
    seq: Number(a['seq']),
    heads,
    headSize: d / heads,
    scale: Number(a['scale']),
  };
}

function need(args: KernelArgs, name: string): Float32Array {
  const v = floats(args.backend, input(args, name));
  if (!v) throw new Error(`attention: float32 input '${name}' expected`);
  return v;
}

/** An optional float32 input, or null when absent. */
function optional(args: KernelArgs, name: string): Float32Array | null {
  const t: TensorInfo | undefined = args.inputs[name];
  return t ? need(args, name) : null;
}

export function attentionKernels(ctx: KernelContext): KernelConfig[] {
  const { addon } = ctx;
  const forward = (args: KernelArgs) => {
    const s = shapeOf(args);
    const q = input(args, 'q');
    const probs = allocFloats(args.backend, s.batch * s.heads * s.seq * s.seq);
    const out = allocFloats(args.backend, sizeOf(q.shape));
    addon.attention(
      need(args, 'q'),
      need(args, 'k'),
      need(args, 'v'),
      optional(args, 'keyBias'),
      optional(args, 'dropMask'),
      probs,
      out,
      s.batch,
      s.seq,
      s.heads,
      s.headSize,
      s.scale,
    );
    return [
      args.backend.makeTensorInfo(q.shape, 'float32', out),
      args.backend.makeTensorInfo([s.batch, s.heads, s.seq, s.seq], 'float32', probs),
    ];
  };
  return [
    kernelConfig(AttentionKernel.forward, forward),
    kernelConfig(AttentionKernel.forwardDropout, forward),
    kernelConfig(AttentionKernel.backward, (args: KernelArgs) => {
      const s = shapeOf(args);
      const q = input(args, 'q');
      const size = sizeOf(q.shape);
      const grads = [0, 1, 2].map(() => allocFloats(args.backend, size)) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      addon.attentionBackward(
        need(args, 'dy'),
        need(args, 'q'),
        need(args, 'k'),
        need(args, 'v'),
        need(args, 'probs'),
        optional(args, 'dropMask'),
        ...grads,
        s.batch,
        s.seq,
        s.heads,
        s.headSize,
        s.scale,
      );
      return grads.map((g) => args.backend.makeTensorInfo(q.shape, 'float32', g));
    }),
  ];
}
