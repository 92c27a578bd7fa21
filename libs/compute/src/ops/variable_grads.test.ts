import { nativeReady, randomInts } from '../testing/compare';
import { tinyBertCase, tinyBertLoss } from '../testing/tiny_bert';
import { NATIVE_BACKEND_NAME } from '../kernels/util';
import { tf } from '../tf';
import { gelu, layerNorm, softmaxCrossEntropy } from './fused_ops';
import { selfAttention } from './attention';
import { variableGrads } from './variable_grads';

const { shape, params: init, ids, positions, labelIdx } = tinyBertCase();

/** The tiny BERT's loss plus a branch through the fused ops (attention, LayerNorm, GELU, cross-entropy). */
function loss(vars: Record<string, tf.Variable>): tf.Scalar {
  const p = vars as unknown as Record<string, tf.Tensor>;
  const base = tinyBertLoss(
    shape,
    p,
    tf.tensor1d(ids, 'int32'),
    tf.tensor1d(positions, 'int32'),
    tf.tensor1d(labelIdx, 'int32'),
  );
  const x = tf.reshape(tf.gather(p['tok'] as tf.Tensor, tf.tensor1d(ids, 'int32')), [-1, shape.d]);
  const h = gelu(layerNorm(x, p['ln1g'] as tf.Tensor, p['ln1b'] as tf.Tensor, 1e-5));
  const a = selfAttention(h, x, h, { batch: shape.batch, seq: shape.seq, heads: shape.heads });
  const logits = tf.matMul(a, p['tok'] as tf.Tensor, false, true) as tf.Tensor2D;
  const xent = softmaxCrossEntropy(
    logits,
    tf.tensor1d(randomInts(logits.shape[0], 9, shape.vocab), 'int32'),
    0.1,
  );
  return tf.add(base, xent);
}

async function gradsWith(
  backend: string,
  driver: typeof variableGrads,
): Promise<{
  loss: number;
  grads: Record<string, Float32Array>;
  tensorsAfter: number;
  tensorsBefore: number;
}> {
  await tf.setBackend(backend);
  const vars = Object.fromEntries(
    Object.entries(init).map(([name, { values, shape: s }]) => [
      name,
      tf.variable(tf.tensor(values, s), true, name),
    ]),
  );
  const tensorsBefore = tf.memory().numTensors;
  const { value, grads } = driver(() => loss(vars), Object.values(vars));
  const out = Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, Float32Array.from(g.dataSync())]));
  const result = { loss: value.dataSync()[0] as number, grads: out };
  tf.dispose([value, ...Object.values(grads)]);
  const tensorsAfter = tf.memory().numTensors;
  Object.values(vars).forEach((v) => v.dispose());
  return { ...result, tensorsBefore, tensorsAfter };
}

describe('variableGrads (backward pass that frees as it goes)', () => {
  beforeAll(nativeReady);

  it.each(['cpu', NATIVE_BACKEND_NAME])(
    'gives exactly what tf.variableGrads gives on %s, leaking nothing',
    async (b) => {
      const theirs = await gradsWith(
        b,
        (f, vars) => tf.variableGrads(f, vars) as ReturnType<typeof variableGrads>,
      );
      const ours = await gradsWith(b, variableGrads);
      expect(ours.loss).toBe(theirs.loss);
      expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(theirs.grads).sort());
      for (const [name, g] of Object.entries(theirs.grads)) expect(ours.grads[name]).toEqual(g);
      expect(ours.tensorsAfter).toBe(ours.tensorsBefore);
    },
  );

  it('holds fewer bytes at its peak than tf.variableGrads', async () => {
    await tf.setBackend(NATIVE_BACKEND_NAME);
    const pool = (tf.backend() as unknown as { pool: { alloc(n: number): Float32Array } }).pool;
    const alloc = pool.alloc.bind(pool);
    let max = 0;
    // Every native kernel output comes from the pool: sample the live tensor bytes there.
    pool.alloc = (n) => {
      max = Math.max(max, tf.memory().numBytes);
      return alloc(n);
    };
    const peak = async (driver: typeof variableGrads) => {
      max = 0;
      await gradsWith(NATIVE_BACKEND_NAME, driver);
      return max;
    };
    try {
      const theirs = await peak((f, vars) => tf.variableGrads(f, vars) as ReturnType<typeof variableGrads>);
      const ours = await peak(variableGrads);
      expect(ours).toBeLessThan(theirs);
    } finally {
      pool.alloc = alloc;
    }
  });
});
