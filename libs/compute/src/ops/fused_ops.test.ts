import { NATIVE_BACKEND_NAME } from '../kernels/util';
import { expectMatchesCpu, nativeReady, randomFloats, runOn } from '../testing/compare';
import { tf } from '../tf';
import { adamwUpdate, gelu, layerNorm, softmaxCrossEntropy } from './fused_ops';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number, scale = 1) => ({
  values: randomFloats(size(shape), seed, scale),
  shape,
});

// The cpu backend has no fused kernels, so it runs each op's composite formulation: these tests check
// the native kernels against the composition (values and gradients), and the composition against
// plain autodiff of the textbook formula.
describe('fused ops: native kernels match their composition on the cpu backend', () => {
  beforeAll(nativeReady);

  it('gelu and its gradient', async () => {
    const x = rand([64, 96], 91, 4);
    const w = rand([64, 96], 92);
    await expectMatchesCpu((make) => gelu(make(x.values, x.shape)));
    await expectMatchesCpu((make) => {
      const wt = make(w.values, w.shape);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), wt)))(make(x.values, x.shape));
    });
  });

  it('layerNorm and its gradients (x, gamma, beta), 2-D and 3-D', async () => {
    for (const shape of [
      [40, 32],
      [3, 5, 48],
    ]) {
      const d = shape[shape.length - 1] as number;
      const x = rand(shape, 93, 3);
      const g = rand([d], 94);
      const b = rand([d], 95);
      const w = rand(shape, 96);
      await expectMatchesCpu((make) =>
        layerNorm(make(x.values, x.shape), make(g.values, [d]), make(b.values, [d]), 1e-5),
      );
      await expectMatchesCpu((make) => {
        const wt = make(w.values, w.shape);
        const f = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) =>
          tf.sum(tf.mul(layerNorm(xt, gt, bt, 1e-5), wt));
        return tf.grads(f)([make(x.values, x.shape), make(g.values, [d]), make(b.values, [d])]);
      });
    }
  });

  it('softmax gradient (fused on headstart-cpu)', async () => {
    const x = rand([2, 3, 16, 16], 97, 4);
    const w = rand([2, 3, 16, 16], 98);
    await expectMatchesCpu((make) => {
      const wt = make(w.values, w.shape);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), wt)))(make(x.values, x.shape));
    });
  });

  it('softmaxCrossEntropy and its gradient', async () => {
    const logits = rand([12, 50], 121, 5);
    const labels = Int32Array.from({ length: 12 }, (_, i) => (i * 7) % 50);
    await expectMatchesCpu((make) =>
      softmaxCrossEntropy(
        make(logits.values, logits.shape) as tf.Tensor2D,
        make(labels, [12]) as tf.Tensor1D,
        1 / 12,
      ),
    );
    await expectMatchesCpu((make) => {
      const l = make(labels, [12]) as tf.Tensor1D;
      return tf.grad((t: tf.Tensor) => tf.mul(softmaxCrossEntropy(t as tf.Tensor2D, l, 1 / 12), 3))(
        make(logits.values, logits.shape),
      );
    });
  });

  it('adamwUpdate, with and without weight decay, over several steps', async () => {
    const p = rand([33, 17], 101);
    const g = rand([33, 17], 102, 0.1);
    for (const weightDecay of [0, 0.01]) {
      await expectMatchesCpu((make) => {
        let param = make(p.values, p.shape);
        let m = tf.zerosLike(param);
        let v = tf.zerosLike(param);
        const grad = make(g.values, g.shape);
        for (let step = 1; step <= 3; step++) {
          const next = adamwUpdate(param, grad, m, v, {
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weightDecay,
            step,
          });
          ({ param, m, v } = next);
        }
        return [param, m, v];
      });
    }
  });
});

describe('adamwUpdate coefficients', () => {
  beforeAll(nativeReady);

  // torch multiplies by 1 − β computed in double and rounded once; 1.0f − 0.999f is 1.3e-5 away from
  // that, which would shrink every second moment (and grow every step) by as much. With m = v = 0 and
  // g = 1 the new moments are exactly those coefficients.
  it.each(['cpu', NATIVE_BACKEND_NAME])('are 1 − β rounded once on %s', async (backend) => {
    const [m, v] = await runOn(backend, (make) => {
      const zeros = make(new Float32Array(8), [8]);
      const ones = make(new Float32Array(8).fill(1), [8]);
      const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, step: 1 };
      const next = adamwUpdate(ones, ones, zeros, zeros, hyper);
      return [next.m, next.v];
    });
    expect([...(m?.values ?? [])]).toEqual(new Array(8).fill(Math.fround(1 - 0.9)));
    expect([...(v?.values ?? [])]).toEqual(new Array(8).fill(Math.fround(1 - 0.999)));
  });
});

describe('the compositions equal textbook autodiff (cpu backend)', () => {
  beforeAll(async () => {
    await nativeReady();
    await tf.setBackend('cpu');
  });

  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;

  it('gelu', () => {
    const x = tf.tensor(rand([200], 111, 5).values);
    const plain = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(tf.erf(tf.div(t, Math.SQRT2)), 1));
    expect(maxDiff(gelu(x), plain(x))).toBeLessThan(1e-6);
    expect(
      maxDiff(tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x), tf.grad((t: tf.Tensor) => tf.sum(plain(t)))(x)),
    ).toBeLessThan(1e-5);
  });

  it('layerNorm', () => {
    const x = tf.tensor(rand([6, 10], 112, 2).values, [6, 10]);
    const w = tf.tensor(rand([6, 10], 113).values, [6, 10]);
    const g = tf.tensor(rand([10], 114).values);
    const b = tf.tensor(rand([10], 115).values);
    const plain = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
      const { mean, variance } = tf.moments(xt, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(xt, mean), tf.sqrt(tf.add(variance, 1e-5))), gt), bt);
    };
    expect(maxDiff(layerNorm(x, g, b, 1e-5), plain(x, g, b))).toBeLessThan(1e-5);
    const ours = tf.grads((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) =>
      tf.sum(tf.mul(layerNorm(xt, gt, bt, 1e-5), w)),
    )([x, g, b]);
    const theirs = tf.grads((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) =>
      tf.sum(tf.mul(plain(xt, gt, bt), w)),
    )([x, g, b]);
    ours.forEach((t, i) => expect(maxDiff(t, theirs[i] as tf.Tensor)).toBeLessThan(1e-4));
  });
});
