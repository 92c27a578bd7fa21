import { NATIVE_BACKEND_NAME } from '../kernels/util';
import { expectMatchesCpu, nativeReady, randomFloats } from '../testing/compare';
import { tf } from '../tf';
import { selfAttention } from './attention';
import { variableGrads } from './variable_grads';

const [batch, seq, heads, d] = [3, 10, 4, 32];
const rows = batch * seq;
const data = (seed: number, scale = 1) => randomFloats(rows * d, seed, scale);

// One padded key per sequence (a different one in each), and a dropout mask keeping ~3/4 (0 or 4/3).
const keyBias = Float32Array.from({ length: rows }, (_, i) =>
  i % seq === seq - 1 - 2 * Math.floor(i / seq) ? -1e9 : 0,
);
const dropMask = Float32Array.from(randomFloats(batch * heads * seq * seq, 7), (u) => (u > -0.5 ? 4 / 3 : 0));

type Make = (values: Float32Array, shape: number[]) => tf.Tensor;

function attend(make: Make, extras: { bias?: boolean; drop?: boolean }) {
  const options = {
    batch,
    seq,
    heads,
    ...(extras.bias ? { keyBias: make(keyBias, [batch, 1, 1, seq]) } : {}),
    ...(extras.drop ? { dropMask: make(dropMask, [batch, heads, seq, seq]) } : {}),
  };
  const w = make(data(4), [rows, d]);
  const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(selfAttention(q, k, v, options), w));
  const inputs = [make(data(1, 2), [rows, d]), make(data(2, 2), [rows, d]), make(data(3), [rows, d])];
  const [q, k, v] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor];
  return [selfAttention(q, k, v, options), ...tf.grads(f)(inputs)];
}

// The cpu backend runs the composition (4-D transposes, batched matmuls, softmax); headstart-cpu the
// native kernel: values and the q, k, v gradients must agree.
describe('selfAttention: the native kernel matches the composition', () => {
  beforeAll(nativeReady);

  it.each([
    ['plain', {}],
    ['with a key mask', { bias: true }],
    ['with a dropout mask', { drop: true }],
    ['with both', { bias: true, drop: true }],
  ])('%s', async (_name, extras) => {
    await expectMatchesCpu((make) => attend(make as Make, extras), 1e-4);
  });

  it('rejects inputs that are not [batch·seq, heads·headSize]', () => {
    const q = tf.zeros([rows, 30]);
    expect(() => selfAttention(q, q, q, { batch, seq, heads })).toThrow(RangeError);
    q.dispose();
  });
});

// The probabilities output exists for the backward pass; TF.js would give it a zero dy of its own size
// (outside the buffer pool: 8 MB a layer a step for the main job's model, and a full GC a step).
describe('selfAttention in variableGrads', () => {
  beforeAll(nativeReady);

  it('makes no zero gradient for the probabilities output', () => {
    tf.setBackend(NATIVE_BACKEND_NAME);
    const q = tf.variable(tf.tensor2d(data(1, 2), [rows, d]), true, 'attention-q');
    const engine = tf.engine() as unknown as { makeTensor(v: unknown, shape: number[]): tf.Tensor };
    const spy = jest.spyOn(engine, 'makeTensor');
    const { value, grads } = variableGrads(() => tf.sum(selfAttention(q, q, q, { batch, seq, heads })), [q]);
    const shapes = spy.mock.calls.map((call) => call[1]);
    spy.mockRestore();
    expect(shapes).not.toContainEqual([batch, heads, seq, seq]);
    expect(grads['attention-q']?.shape).toEqual([rows, d]);
    tf.dispose([value, q, ...Object.values(grads)]);
  });
});
