import { expectMatchesCpu, nativeReady, randomFloats, randomInts } from '../testing/compare';
import { tf } from '../tf';
import { collapseTranspose } from './layout';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number) => ({ values: randomFloats(size(shape), seed), shape });

describe('collapseTranspose', () => {
  it('merges axes that stay adjacent and drops size-1 axes', () => {
    expect(collapseTranspose([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({
      shape: [2, 3, 4, 5],
      perm: [0, 2, 1, 3],
    });
    expect(collapseTranspose([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ shape: [2, 3, 20], perm: [0, 2, 1] });
    expect(collapseTranspose([2, 3, 4, 5], [0, 1, 2, 3])).toEqual({ shape: [120], perm: [0] });
    expect(collapseTranspose([1, 3, 1, 5], [2, 3, 0, 1])).toEqual({ shape: [3, 5], perm: [1, 0] });
    expect(collapseTranspose([1, 1], [1, 0])).toEqual({ shape: [1], perm: [0] });
  });
});

describe('Transpose on headstart-cpu matches the cpu backend', () => {
  const cases: [number[], number[]][] = [
    [
      [37, 45],
      [1, 0],
    ],
    [
      [4, 16, 4, 8],
      [0, 2, 1, 3],
    ],
    [
      [4, 4, 16, 8],
      [0, 2, 1, 3],
    ],
    [
      [4, 16, 4, 8],
      [0, 1, 3, 2],
    ],
    [
      [4, 16, 4, 8],
      [0, 2, 3, 1],
    ],
    [
      [3, 5, 7],
      [2, 0, 1],
    ],
    [
      [2, 3, 4, 5, 6],
      [4, 2, 0, 3, 1],
    ],
    [
      [1, 33, 1, 40],
      [3, 1, 2, 0],
    ],
    [
      [8, 9],
      [0, 1],
    ],
  ];
  it.each(cases)('float32 %j perm %j', async (shape, perm) => {
    const x = rand(shape, 51);
    await expectMatchesCpu((make) => tf.transpose(make(x.values, x.shape), perm));
  });

  it('int32 and bool tensors', async () => {
    const ints = randomInts(4 * 6 * 5, 52, 1000);
    await expectMatchesCpu((make) => tf.transpose(make(ints, [4, 6, 5]), [2, 0, 1]));
    await expectMatchesCpu((make) =>
      tf.cast(tf.transpose(tf.greater(make(ints, [4, 6, 5]), 500), [1, 2, 0]), 'float32'),
    );
  });
});

describe('GatherV2 on headstart-cpu matches the cpu backend', () => {
  it('embedding lookups: axis 0, 1-D and 2-D indices', async () => {
    const table = rand([50, 24], 61);
    const idx = randomInts(37, 62, 50);
    await expectMatchesCpu((make) => tf.gather(make(table.values, table.shape), make(idx, [37])));
    await expectMatchesCpu((make) =>
      tf.gather(make(table.values, table.shape), make(idx.slice(0, 36), [6, 6])),
    );
  });

  it('inner axes and int32 params', async () => {
    const x = rand([3, 10, 4], 63);
    const idx = randomInts(7, 64, 10);
    await expectMatchesCpu((make) => tf.gather(make(x.values, x.shape), make(idx, [7]), 1));
    await expectMatchesCpu((make) =>
      tf.gather(
        make(x.values, x.shape),
        make(
          idx.map((i) => i % 4),
          [7],
        ),
        2,
      ),
    );
    const ints = randomInts(30, 65, 99);
    await expectMatchesCpu((make) => tf.gather(make(ints, [10, 3]), make(idx, [7])));
  });

  it('throws on out-of-range indices instead of reading out of bounds', async () => {
    await nativeReady();
    await tf.setBackend('headstart-cpu');
    const table = tf.ones([5, 3]);
    expect(() => tf.gather(table, tf.tensor1d([0, 5], 'int32'))).toThrow(/index value 5 is not in \[0, 4\]/);
    expect(() => tf.gather(table, tf.tensor1d([-1], 'int32'))).toThrow(/not in/);
  });
});

describe('UnsortedSegmentSum on headstart-cpu matches the cpu backend', () => {
  it('sums rows with duplicate ids, like the embedding gradient', async () => {
    const x = rand([40, 24], 71);
    const ids = randomInts(40, 72, 9);
    await expectMatchesCpu((make) =>
      tf.unsortedSegmentSum(make(x.values, x.shape), make(ids, [40]) as tf.Tensor1D, 12),
    );
  });

  it('1-D data (the reference kernel takes 1-D segment ids only)', async () => {
    const y = rand([30], 75);
    await expectMatchesCpu((make) =>
      tf.unsortedSegmentSum(make(y.values, y.shape), make(randomInts(30, 76, 4), [30]) as tf.Tensor1D, 4),
    );
  });

  it('gather gradient at vocabulary size is fast (the cpu kernel makes one pass per segment)', async () => {
    await nativeReady();
    await tf.setBackend('headstart-cpu');
    const table = tf.randomNormal([8192, 64]);
    const idx = tf.tensor1d(randomInts(4096, 77, 8192), 'int32');
    const start = performance.now();
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, idx)))(table);
    expect(g.shape).toEqual([8192, 64]);
    expect(performance.now() - start).toBeLessThan(2000);
    tf.dispose([table, idx, g]);
  });
});

describe('ScatterNd and OneHot on headstart-cpu match the cpu backend', () => {
  it('row scatter-add with duplicate indices (the embedding gradient as a scatter)', async () => {
    const updates = rand([30, 12], 81);
    const idx = randomInts(30, 82, 7);
    await expectMatchesCpu((make) =>
      tf.scatterND(make(idx, [30, 1]), make(updates.values, updates.shape), [7, 12]),
    );
    await expectMatchesCpu((make) =>
      tf.scatterND(make(idx, [30, 1]), make(updates.values.slice(0, 30), [30]), [7]),
    );
  });

  it('multi-coordinate indices use the reference kernel', async () => {
    const updates = rand([5], 83);
    const idx = Int32Array.from([0, 1, 2, 0, 1, 1, 0, 1, 2, 2]);
    await expectMatchesCpu((make) =>
      tf.scatterND(make(idx, [5, 2]), make(updates.values, updates.shape), [3, 3]),
    );
  });

  it('rejects out-of-range scatter indices', async () => {
    await nativeReady();
    await tf.setBackend('headstart-cpu');
    expect(() => tf.scatterND(tf.tensor2d([[3]], [1, 1], 'int32'), tf.ones([1, 2]), [3, 2])).toThrow(
      /Invalid indices/,
    );
  });

  it('oneHot, including out-of-range ids (all off)', async () => {
    const ids = Int32Array.from([0, 3, 9, -1, 12, 5]);
    await expectMatchesCpu((make) => tf.oneHot(make(ids, [6]) as tf.Tensor1D, 10, 1, 0, 'float32'));
    await expectMatchesCpu((make) => tf.oneHot(make(ids, [2, 3]), 10, 0.9, 0.01, 'float32'));
  });
});
