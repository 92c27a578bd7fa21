import { expectMatchesCpu, randomFloats } from '../testing/compare';
import { loadNativeAddon } from '../native/addon';
import { tf } from '../tf';

const r = (shape: number[], seed: number) => ({
  values: randomFloats(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
  shape,
});

const cases: [string, number[], number[], boolean, boolean][] = [
  ['2-D', [37, 19], [19, 23], false, false],
  ['2-D transposeA', [19, 37], [19, 23], true, false],
  ['2-D transposeB', [37, 19], [23, 19], false, true],
  ['2-D both transposed', [19, 37], [23, 19], true, true],
  ['batched', [3, 17, 8], [3, 8, 11], false, false],
  ['batched, attention scores (B)', [4, 2, 16, 8], [4, 2, 16, 8], false, true],
  ['batched transposeA', [3, 8, 17], [3, 8, 11], true, false],
  ['batched both transposed', [3, 8, 17], [3, 11, 8], true, true],
  ['3-D x 2-D (folded into one sgemm)', [4, 33, 16], [16, 24], false, false],
  ['3-D transposed x 2-D', [4, 16, 33], [16, 24], true, false],
  ['2-D x 3-D broadcast', [33, 16], [4, 16, 24], false, false],
  ['large (threads split rows)', [300, 256], [256, 130], false, false],
  ['wide (threads split columns)', [40, 300], [300, 700], false, false],
  ['empty inner dimension', [5, 0], [0, 7], false, false],
];

describe('BatchMatMul on headstart-cpu matches the cpu backend', () => {
  it.each(cases)('%s', async (_name, aShape, bShape, ta, tb) => {
    const a = r(aShape, 1);
    const b = r(bShape, 2);
    await expectMatchesCpu((make) => tf.matMul(make(a.values, a.shape), make(b.values, b.shape), ta, tb));
  });

  it('fused matmul with bias and each supported activation', async () => {
    const a = r([24, 40], 3);
    const b = r([40, 18], 4);
    const bias = r([18], 5);
    for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'] as const) {
      await expectMatchesCpu((make) =>
        tf.fused.matMul({
          a: make(a.values, a.shape),
          b: make(b.values, b.shape),
          bias: make(bias.values, bias.shape),
          activation,
        }),
      );
    }
  });

  // A per-column bias is added by each part of a split product (rows, columns, batch items); other bias
  // shapes go through the broadcasting add.
  it.each([
    ['rows split', [300, 256], [256, 130], [130]],
    ['columns split', [40, 300], [300, 700], [1, 700]],
    ['batch items', [6, 33, 16], [6, 16, 24], [24]],
    ['3-D x 2-D folded', [4, 33, 16], [16, 24], [24]],
    ['empty inner dimension', [5, 0], [0, 7], [7]],
    ['a bias per row and column (broadcast add)', [33, 16], [16, 24], [33, 24]],
  ])('fused matmul with bias: %s', async (_name, aShape, bShape, biasShape) => {
    const [a, b, bias] = [r(aShape, 8), r(bShape, 9), r(biasShape, 10)];
    await expectMatchesCpu((make) =>
      tf.fused.matMul({
        a: make(a.values, a.shape) as tf.Tensor2D,
        b: make(b.values, b.shape) as tf.Tensor2D,
        bias: make(bias.values, bias.shape),
      }),
    );
  });

  it('with OpenBLAS threading its own sgemm calls (blasThreads 2)', async () => {
    await expectMatchesCpu(() => tf.zeros([1]));
    const loaded = loadNativeAddon();
    if (!loaded.ok) throw new Error(loaded.reason);
    loaded.addon.setBlasThreads(2);
    try {
      for (const [, aShape, bShape, ta, tb] of cases.slice(3, 12)) {
        const a = r(aShape, 6);
        const b = r(bShape, 7);
        await expectMatchesCpu((make) => tf.matMul(make(a.values, a.shape), make(b.values, b.shape), ta, tb));
      }
    } finally {
      loaded.addon.setBlasThreads(1);
    }
  });

  it('rejects mismatched inner dimensions like the cpu backend', async () => {
    await expectMatchesCpu(() => tf.zeros([1])); // registers the backend
    await tf.setBackend('headstart-cpu');
    expect(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow(/inner shapes/);
  });
});
