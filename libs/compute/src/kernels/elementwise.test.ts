import { expectMatchesCpu, randomFloats } from '../testing/compare';
import { tf } from '../tf';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number, scale = 1) => ({
  values: randomFloats(size(shape), seed, scale),
  shape,
});
const positive = (shape: number[], seed: number) => ({
  values: randomFloats(size(shape), seed).map((v) => Math.abs(v) + 0.05),
  shape,
});

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const binaries: [string, Binary][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
  ['maximum', tf.maximum],
  ['minimum', tf.minimum],
  ['squaredDifference', tf.squaredDifference],
];

// [a shape, b shape]: equal shapes, BERT's bias/row/column broadcasts, scalars, outer products, 4-D masks.
const shapePairs: [number[], number[]][] = [
  [
    [7, 13],
    [7, 13],
  ],
  [[4, 6, 16], [16]],
  [[16], [4, 6, 16]],
  [
    [24, 16],
    [24, 1],
  ],
  [
    [24, 1],
    [24, 16],
  ],
  [[5, 9], []],
  [[], [5, 9]],
  [
    [1, 9],
    [6, 1],
  ],
  [
    [2, 3, 8, 8],
    [2, 1, 1, 8],
  ],
  [
    [2, 3, 8, 8],
    [2, 3, 8, 1],
  ],
  [
    [3, 1, 5],
    [1, 4, 5],
  ],
  [
    [2, 3, 4, 5, 6, 7],
    [3, 1, 5, 1, 7],
  ],
  [[300, 257], [257]],
  // Large enough to be split across threads: equal shapes collapse to one axis, split along it.
  [
    [520, 300],
    [520, 300],
  ],
  [[520, 300], []],
];

describe('binary kernels on headstart-cpu match the cpu backend', () => {
  it.each(binaries)('%s, with every broadcast pattern', async (_name, op) => {
    for (const [as, bs] of shapePairs) {
      const a = rand(as, 11);
      const b = _name === 'div' ? positive(bs, 12) : rand(bs, 12);
      await expectMatchesCpu((make) => op(make(a.values, a.shape), make(b.values, b.shape)));
    }
  });

  it('pow with a scalar and with a tensor exponent', async () => {
    const x = positive([6, 10], 13);
    const e = rand([10], 14, 2);
    await expectMatchesCpu((make) => tf.pow(make(x.values, x.shape), tf.scalar(1.5)));
    await expectMatchesCpu((make) => tf.pow(make(x.values, x.shape), make(e.values, e.shape)));
  });

  it('int32 operands fall back to the reference kernels', async () => {
    const a = Int32Array.from([1, 2, 3, 4]);
    await expectMatchesCpu((make) => tf.add(make(a, [4]), make(a, [4])));
  });

  it('propagates NaN and infinities like the reference', async () => {
    const v = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1, -1, 3e38]);
    const w = Float32Array.from([1, NaN, 2, Infinity, 0, -Infinity, NaN, 10]);
    for (const [, op] of binaries) await expectMatchesCpu((make) => op(make(v, [8]), make(w, [8])));
  });
});

type Unary = (x: tf.Tensor) => tf.Tensor;
const unaries: [string, Unary, 'any' | 'positive'][] = [
  ['exp', tf.exp, 'any'],
  ['log', tf.log, 'positive'],
  ['neg', tf.neg, 'any'],
  ['sqrt', tf.sqrt, 'positive'],
  ['rsqrt', tf.rsqrt, 'positive'],
  ['square', tf.square, 'any'],
  ['relu', tf.relu, 'any'],
  ['relu6', tf.relu6, 'any'],
  ['erf', tf.erf, 'any'],
  ['tanh', tf.tanh, 'any'],
  ['sigmoid', tf.sigmoid, 'any'],
  ['abs', tf.abs, 'any'],
  ['reciprocal', tf.reciprocal, 'positive'],
  ['elu', tf.elu, 'any'],
  ['step', (x) => tf.step(x, 0.3), 'any'],
  ['leakyRelu', (x) => tf.leakyRelu(x, 0.1), 'any'],
];

describe('unary kernels on headstart-cpu match the cpu backend', () => {
  it.each(unaries)('%s', async (_name, op, domain) => {
    for (const [shape, scale] of [
      [[1000], 1],
      [[64, 129], 6],
      [[5000], 30],
    ] as [number[], number][]) {
      const x = domain === 'positive' ? positive(shape, 21) : rand(shape, 21, scale);
      await expectMatchesCpu((make) => op(make(x.values, x.shape)));
    }
  });

  it('special values: NaN, infinities, zeros, overflow', async () => {
    const v = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 89, -104, 1e-30, 0.5, -0.62, 0.63]);
    for (const [name, op, domain] of unaries) {
      if (domain === 'positive' || name === 'elu') continue;
      await expectMatchesCpu((make) => op(make(v, [v.length])));
    }
  });
});
