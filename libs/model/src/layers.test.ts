// The custom-gradient ops against TF.js's own autodiff of the textbook formulas.
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from './gather';
import { gelu, layerNorm } from './layers';
import { softmaxCrossEntropy } from './loss';
import { createRng } from './rng';
import { describeOnBackends } from './tiny-model.fixture';

const rng = createRng(11);
const randn = (shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), std), shape);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

afterEach(() => tf.disposeVariables());

describeOnBackends('custom-gradient ops', () => {
  it('gelu matches x·Φ(x) and its autodiff gradient', () => {
    tf.tidy(() => {
      const x = randn([64], 2);
      const reference = (t: tf.Tensor) => tf.mul(t, tf.mul(0.5, tf.add(1, tf.erf(tf.div(t, Math.SQRT2)))));
      const w = randn([64]);
      const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w)))(x);
      const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reference(t), w)))(x);
      expect(maxAbsDiff(gelu(x), reference(x))).toBeLessThan(1e-6);
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
      // Φ(1) = 0.841345
      expect(gelu(tf.scalar(1)).dataSync()[0]).toBeCloseTo(0.841345, 5);
    });
  });

  it('layerNorm matches the autodiff of the textbook formula in value and all three gradients', () => {
    tf.tidy(() => {
      const [x, gamma, beta, w] = [randn([6, 8], 3), randn([8]), randn([8]), randn([6, 8])];
      const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      };
      const loss = (f: typeof reference) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a, g, b), w));
      const ours = tf.grads(loss((a, g, b) => layerNorm(a, g, b, 1e-5)))([x, gamma, beta]);
      const theirs = tf.grads(loss(reference))([x, gamma, beta]);
      expect(maxAbsDiff(layerNorm(x, gamma, beta, 1e-5), reference(x, gamma, beta))).toBeLessThan(1e-5);
      ours.forEach((g, i) => expect(maxAbsDiff(g, theirs[i] as tf.Tensor)).toBeLessThan(1e-4));
    });
  });

  it('gatherRows matches tf.gather, and its scatter gradient sums repeated rows', () => {
    tf.tidy(() => {
      const table = randn([5, 3]);
      const indices = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
      const w = randn([5, 3]);
      const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, indices), w)))(table);
      const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), w)))(table);
      expect(maxAbsDiff(gatherRows(table, indices), tf.gather(table, indices))).toBe(0);
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-6);
      expect(tf.sum(tf.abs(tf.slice(ours, [1, 0], [1, 3]))).dataSync()[0]).toBe(0); // row 1 is never gathered
    });
  });

  it('softmaxCrossEntropy matches −log softmax and its gradient is (softmax − onehot) / rows', () => {
    tf.tidy(() => {
      const logits = randn([4, 7], 5);
      const labels = Int32Array.from([0, 6, 3, 3]);
      const reference = (l: tf.Tensor) =>
        tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(tf.tensor1d(labels, 'int32'), 7)), -1)));
      const ours = tf.grad((l: tf.Tensor) => softmaxCrossEntropy(l as tf.Tensor2D, labels, 'mean'))(logits);
      const theirs = tf.grad(reference)(logits);
      expect(
        maxAbsDiff(softmaxCrossEntropy(logits as tf.Tensor2D, labels, 'mean'), reference(logits)),
      ).toBeLessThan(1e-5);
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-6);
      const sum = softmaxCrossEntropy(logits as tf.Tensor2D, labels, 'sum');
      expect(sum.dataSync()[0]).toBeCloseTo((reference(logits).dataSync()[0] as number) * 4, 4);
    });
  });

  it('softmaxCrossEntropy stays finite for huge logits and rejects bad labels', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1e4, -1e4, 0]]);
      expect(softmaxCrossEntropy(logits, Int32Array.from([1]), 'mean').dataSync()[0]).toBeCloseTo(2e4, 0);
      expect(() => softmaxCrossEntropy(logits, Int32Array.from([3]), 'mean')).toThrow(/label 3/);
    });
  });
});
