// Makes the pure-JS 'cpu' fallback able to train at all: its UnsortedSegmentSum (the gradient of every
// gather, so of every embedding) makes one masked pass over the data per segment — minutes and GBs
// per step at an 8k vocabulary. This replaces it with a single pass (same result, 1-D segment ids).
import { getKernel, registerKernel, unregisterKernel, UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

let installed = false;

export function installJsCpuFixes(): void {
  if (installed) return;
  const original = getKernel(UnsortedSegmentSum, 'cpu');
  if (!original) return;
  installed = true;
  const kernelFunc = (args: {
    inputs: { x: TensorInfo; segmentIds: TensorInfo };
    backend: MathBackendCPU;
    attrs: { numSegments: number };
  }) => {
    const { x, segmentIds } = args.inputs;
    const xv = args.backend.data.get(x.dataId).values;
    const ids = args.backend.data.get(segmentIds.dataId).values;
    if (
      x.dtype !== 'float32' ||
      segmentIds.shape.length !== 1 ||
      !(xv instanceof Float32Array) ||
      !(ids instanceof Int32Array)
    ) {
      return original.kernelFunc(args as never);
    }
    const numSegments = args.attrs.numSegments;
    const inner = ids.length === 0 ? 0 : xv.length / ids.length;
    const out = new Float32Array(numSegments * inner);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] as number;
      if (s < 0 || s >= numSegments) continue;
      const src = i * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) out[dst + j] = (out[dst + j] as number) + (xv[src + j] as number);
    }
    return args.backend.makeTensorInfo([numSegments, ...x.shape.slice(1)], 'float32', out);
  };
  unregisterKernel(UnsortedSegmentSum, 'cpu'); // registering over it would print a warning
  registerKernel({
    kernelName: UnsortedSegmentSum,
    backendName: 'cpu',
    kernelFunc: kernelFunc as unknown as KernelFunc,
  });
}
