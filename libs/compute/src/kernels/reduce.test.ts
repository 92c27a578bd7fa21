import { expectMatchesCpu, randomFloats } from '../testing/compare';
import { tf } from '../tf';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number) => ({ values: randomFloats(size(shape), seed), shape });

type Reduce = (x: tf.Tensor, axis?: number | number[], keepDims?: boolean) => tf.Tensor;
const reductions: [string, Reduce][] = [
  ['sum', tf.sum],
  ['mean', tf.mean],
  ['max', tf.max],
  ['min', tf.min],
  ['prod', tf.prod],
];

const cases: [number[], number | number[] | undefined][] = [
  [[6, 40], -1],
  [[6, 40], 0],
  [
    [4, 5, 33],
    [0, 1],
  ],
  [[4, 5, 33], 1],
  [
    [4, 5, 33],
    [1, 2],
  ],
  [
    [4, 5, 33],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [[2, 3, 4, 5], undefined],
  [
    [1, 7, 1, 9],
    [0, 2],
  ],
  [[3, 1, 9], [1]],
  [[512, 300], 0],
  // Several 256-row blocks, the last one partial (the blocked column reduction).
  [[1000, 24], 0],
  [[1, 700, 20], 1],
  [[300, 512], -1],
];

describe('reductions on headstart-cpu match the cpu backend', () => {
  it.each(reductions)(
    '%s over contiguous and scattered axes, with and without keepDims',
    async (name, op) => {
      for (const [shape, axis] of cases) {
        // Products of hundreds of values underflow to 0 in both; keep them meaningful with small rows.
        if (name === 'prod' && size(shape) > 1000) continue;
        const x = rand(shape, 31);
        await expectMatchesCpu((make) => op(make(x.values, x.shape), axis, false));
        await expectMatchesCpu((make) => op(make(x.values, x.shape), axis, true));
      }
    },
  );

  it('sum of a large row stays accurate (pairwise float accumulation vs the float64 reference)', async () => {
    const x = { values: randomFloats(100_000, 32).map((v) => v + 0.5), shape: [100_000] };
    await expectMatchesCpu((make) => tf.sum(make(x.values, x.shape)));
  });
});

describe('softmax and logSoftmax on headstart-cpu match the cpu backend', () => {
  it.each([[[5, 17]], [[2, 4, 16, 16]], [[3, 8192]], [[10, 1]]])('shape %j', async (shape) => {
    const x = { values: randomFloats(size(shape), 41, 8), shape };
    await expectMatchesCpu((make) => tf.softmax(make(x.values, x.shape)));
    await expectMatchesCpu((make) => tf.logSoftmax(make(x.values, x.shape)));
  });

  it('rows with masked (-1e9) entries', async () => {
    const values = randomFloats(4 * 8, 42, 3);
    for (let i = 0; i < values.length; i += 3) values[i] = -1e9;
    await expectMatchesCpu((make) => tf.softmax(make(values, [4, 8])));
  });
});
