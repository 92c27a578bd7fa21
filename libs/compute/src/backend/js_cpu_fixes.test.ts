import { getKernel, UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import { randomFloats, randomInts } from '../testing/compare';
import { tf } from '../tf';
import { installJsCpuFixes } from './js_cpu_fixes';

describe('installJsCpuFixes', () => {
  it('replaces the cpu UnsortedSegmentSum with a single pass giving the same sums', async () => {
    tf.env().set('IS_TEST', true); // quiets the cpu backend's banner
    await tf.setBackend('cpu');
    const x = tf.tensor(randomFloats(60 * 8, 1), [60, 8]);
    const ids = tf.tensor1d(randomInts(60, 2, 11), 'int32');
    const before = tf.unsortedSegmentSum(x, ids, 11).dataSync();
    const original = getKernel(UnsortedSegmentSum, 'cpu')?.kernelFunc;
    installJsCpuFixes();
    expect(getKernel(UnsortedSegmentSum, 'cpu')?.kernelFunc).not.toBe(original);
    const after = tf.unsortedSegmentSum(x, ids, 11).dataSync();
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i] as number, 5));
  });
});
