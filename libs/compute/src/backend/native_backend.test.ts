import { getKernel, getKernelsForBackend } from '@tensorflow/tfjs-core';
import { nativeReady, randomFloats, randomInts } from '../testing/compare';
import { tinyBertLoss, tinyBertParams } from '../testing/tiny_bert';
import { tf } from '../tf';
import { NATIVE_BACKEND_NAME } from '../kernels/util';
import type { NativeCpuBackend } from './native_backend';

beforeAll(async () => {
  await nativeReady();
  await tf.setBackend(NATIVE_BACKEND_NAME);
});

describe("the 'headstart-cpu' backend", () => {
  it('has every cpu kernel, with the hot ones native', () => {
    const cpu = getKernelsForBackend('cpu').map((k) => k.kernelName);
    const ours = new Set(getKernelsForBackend(NATIVE_BACKEND_NAME).map((k) => k.kernelName));
    expect(cpu.filter((name) => !ours.has(name))).toEqual([]);
    for (const name of [
      'BatchMatMul',
      '_FusedMatMul',
      'Multiply',
      'Softmax',
      'UnsortedSegmentSum',
      'Transpose',
    ]) {
      expect(getKernel(name, NATIVE_BACKEND_NAME)?.kernelFunc).not.toBe(getKernel(name, 'cpu')?.kernelFunc);
    }
  });

  it('does not leak tensors across training steps', () => {
    const shape = { vocab: 50, d: 16, heads: 2, ff: 32, seq: 8, batch: 4 };
    const init = tinyBertParams(shape, (s, seed) =>
      randomFloats(
        s.reduce((a, b) => a * b, 1),
        seed,
        0.1,
      ),
    );
    const vars = Object.fromEntries(
      Object.entries(init).map(([n, v]) => [n, tf.variable(tf.tensor(v.values, v.shape))]),
    );
    const ids = tf.tensor1d(randomInts(32, 1, 50), 'int32');
    const positions = tf.tensor1d([1, 5, 9, 20], 'int32');
    const labelIdx = tf.tensor1d([3, 50 + 7, 100 + 11, 150 + 2], 'int32');
    const optimizer = tf.train.adam(1e-2);
    const counts: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const loss = optimizer.minimize(
        () => tinyBertLoss(shape, vars, ids, positions, labelIdx),
        true,
      ) as tf.Scalar;
      losses.push((loss.dataSync() as Float32Array)[0] as number);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    // Adam creates its moment variables on the first step; from then on the count must not move.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(losses[5]).toBeLessThan(losses[0] as number);
    optimizer.dispose();
    tf.dispose([ids, positions, labelIdx, ...Object.values(vars)]);
  });

  it('never recycles a buffer that escaped through dataSync', () => {
    const a = tf.fill([64, 64], 2);
    const b = tf.mul(a, 3);
    const seen = b.dataSync();
    b.dispose();
    // Same size as b: a recycled buffer would be handed to this output and overwrite `seen`.
    const c = tf.mul(a, 5);
    expect(seen[0]).toBe(6);
    expect(c.dataSync()[0]).toBe(10);
    tf.dispose([a, c]);
  });

  it('keeps views made by reference kernels valid after the parent tensor is disposed', () => {
    const x = tf.mul(tf.fill([4, 1024], 1), 7);
    const row = tf.slice(x, [1, 0], [1, 1024]); // the cpu Slice returns a subarray of x's buffer
    x.dispose();
    const y = tf.mul(tf.fill([4, 1024], 1), 9); // would reuse x's buffer if the view were ignored
    expect(Array.from(row.dataSync().slice(0, 3))).toEqual([7, 7, 7]);
    tf.dispose([row, y]);
  });

  it('reuses buffers once tensors are disposed', () => {
    const backend = tf.backend() as NativeCpuBackend;
    const x = tf.fill([256, 256], 1);
    for (let i = 0; i < 5; i++)
      tf.tidy(() => {
        tf.exp(tf.mul(x, 2));
      });
    const before = backend.pool.stats();
    for (let i = 0; i < 20; i++)
      tf.tidy(() => {
        tf.exp(tf.mul(x, 2));
      });
    const after = backend.pool.stats();
    expect(after.liveOwnedBuffers).toBe(before.liveOwnedBuffers);
    expect(after.pooledBytes).toBe(before.pooledBytes);
    expect(after.pooledBytes).toBeGreaterThan(0);
    x.dispose();
  });
});
