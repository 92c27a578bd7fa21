import { closeness, nativeReady, randomFloats } from '../testing/compare';
import { tinyBertCase, tinyBertLoss } from '../testing/tiny_bert';
import { tf } from '../tf';

const { shape, params, ids, positions, labelIdx } = tinyBertCase();

interface Result {
  loss: number;
  grads: Record<string, Float32Array>;
}

async function lossAndGrads(
  backend: string,
  perturb?: (name: string, v: Float32Array) => Float32Array,
): Promise<Result> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const p: Record<string, tf.Tensor> = {};
    for (const [name, { values, shape: s }] of Object.entries(params)) {
      p[name] = tf.tensor(perturb ? perturb(name, values) : values.slice(), s);
    }
    const i = tf.tensor1d(ids, 'int32');
    const pos = tf.tensor1d(positions, 'int32');
    const li = tf.tensor1d(labelIdx, 'int32');
    const names = Object.keys(p);
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
      const q: Record<string, tf.Tensor> = {};
      names.forEach((n, k) => (q[n] = xs[k] as tf.Tensor));
      return tinyBertLoss(shape, q, i, pos, li);
    })(names.map((n) => p[n] as tf.Tensor));
    const out: Record<string, Float32Array> = {};
    names.forEach((n, k) => (out[n] = Float32Array.from((grads[k] as tf.Tensor).dataSync())));
    return { loss: (value.dataSync() as Float32Array)[0] as number, grads: out };
  });
}

describe('gradients of a tiny BERT MLM on headstart-cpu', () => {
  beforeAll(nativeReady);

  it('match the cpu backend for every parameter', async () => {
    const ref = await lossAndGrads('cpu');
    const native = await lossAndGrads('headstart-cpu');
    expect(Math.abs(native.loss - ref.loss)).toBeLessThan(1e-5 * Math.abs(ref.loss));
    // The key bias has an exactly-zero gradient (softmax ignores a per-row shift), so compare each
    // gradient relative to the largest gradient entry of the model, not only its own.
    const globalScale = Math.max(
      ...Object.values(ref.grads).map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)),
    );
    for (const name of Object.keys(ref.grads)) {
      const c = closeness(
        native.grads[name] as Float32Array,
        ref.grads[name] as Float32Array,
        1e-4,
        globalScale,
      );
      if (c > 1) throw new Error(`gradient of ${name} differs from the cpu backend (closeness ${c})`);
    }
  });

  it('match central finite differences along random directions', async () => {
    const base = await lossAndGrads('headstart-cpu');
    const h = 1e-2;
    for (const seed of [1, 2, 3]) {
      const dir: Record<string, Float32Array> = {};
      for (const [name, { values }] of Object.entries(params))
        dir[name] = randomFloats(values.length, 1000 * seed + name.length);
      const step = (sign: number) => (name: string, v: Float32Array) =>
        Float32Array.from(v, (x, k) => x + sign * h * ((dir[name] as Float32Array)[k] as number));
      const plus = await lossAndGrads('headstart-cpu', step(1));
      const minus = await lossAndGrads('headstart-cpu', step(-1));
      const numeric = (plus.loss - minus.loss) / (2 * h);
      let analytic = 0;
      for (const [name, g] of Object.entries(base.grads)) {
        const d = dir[name] as Float32Array;
        for (let k = 0; k < g.length; k++) analytic += (g[k] as number) * (d[k] as number);
      }
      expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 * Math.max(1, Math.abs(analytic)));
    }
  });
});
