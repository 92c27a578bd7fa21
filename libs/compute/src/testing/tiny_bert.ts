// A tiny BERT-style MLM (every op family a real training step uses: gather embeddings, LayerNorm via
// moments, multi-head attention with 4-D transposes and batched matmuls, erf GELU, fused dense layers,
// tied vocab projection at masked rows, logSoftmax cross-entropy) for the gradient and leak tests.
import { tf } from '../tf';
import { randomFloats, randomInts } from './compare';

export interface TinyBertShape {
  vocab: number;
  d: number;
  heads: number;
  ff: number;
  seq: number;
  batch: number;
}

export type TinyBertParams = Record<string, tf.Tensor>;

export function tinyBertParams(
  s: TinyBertShape,
  init: (shape: number[], seed: number) => Float32Array,
): Record<string, { values: Float32Array; shape: number[] }> {
  const shapes: Record<string, number[]> = {
    tok: [s.vocab, s.d],
    pos: [s.seq, s.d],
    ln1g: [s.d],
    ln1b: [s.d],
    wq: [s.d, s.d],
    bq: [s.d],
    wk: [s.d, s.d],
    bk: [s.d],
    wv: [s.d, s.d],
    bv: [s.d],
    wo: [s.d, s.d],
    bo: [s.d],
    ln2g: [s.d],
    ln2b: [s.d],
    w1: [s.d, s.ff],
    b1: [s.ff],
    w2: [s.ff, s.d],
    b2: [s.d],
    outBias: [s.vocab],
  };
  const out: Record<string, { values: Float32Array; shape: number[] }> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    out[name] = { values: init(shape, 100 + i), shape };
  });
  return out;
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

export function tinyBertLoss(
  s: TinyBertShape,
  p: TinyBertParams,
  ids: tf.Tensor1D,
  positions: tf.Tensor1D,
  labelIdx: tf.Tensor1D,
): tf.Scalar {
  const P = (name: string) => p[name] as tf.Tensor;
  const dh = s.d / s.heads;
  const dense = (x: tf.Tensor, w: string, b: string) =>
    tf.fused.matMul({ a: x as tf.Tensor2D, b: P(w) as tf.Tensor2D, bias: P(b) });
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [s.batch, s.seq, s.heads, dh]), [0, 2, 1, 3]);
  let x = tf.reshape(tf.add(tf.reshape(tf.gather(P('tok'), ids), [s.batch, s.seq, s.d]), P('pos')), [
    s.batch * s.seq,
    s.d,
  ]);
  const h = layerNorm(x, P('ln1g'), P('ln1b'));
  const scores = tf.mul(
    tf.matMul(split(dense(h, 'wq', 'bq')), split(dense(h, 'wk', 'bk')), false, true),
    1 / Math.sqrt(dh),
  );
  const ctx = tf.matMul(tf.softmax(scores), split(dense(h, 'wv', 'bv')));
  x = tf.add(x, dense(tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [s.batch * s.seq, s.d]), 'wo', 'bo'));
  x = tf.add(x, dense(gelu(dense(layerNorm(x, P('ln2g'), P('ln2b')), 'w1', 'b1')), 'w2', 'b2'));
  const rows = tf.gather(x, positions);
  const logits = tf.add(tf.matMul(rows, P('tok'), false, true), P('outBias'));
  const picked = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), labelIdx);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

/** The gradient tests' case: vocabulary 40, d 16, 2 heads, a batch of 3 × 6 tokens, six masked rows, seeded. */
export function tinyBertCase() {
  const shape: TinyBertShape = { vocab: 40, d: 16, heads: 2, ff: 32, seq: 6, batch: 3 };
  const params = tinyBertParams(shape, (s, seed) =>
    randomFloats(
      s.reduce((a, b) => a * b, 1),
      seed,
      0.3,
    ),
  );
  const ids = randomInts(shape.batch * shape.seq, 7, shape.vocab);
  const positions = Int32Array.from([0, 4, 7, 11, 15, 17]);
  const labels = randomInts(positions.length, 8, shape.vocab);
  const labelIdx = Int32Array.from(labels, (l, row) => row * shape.vocab + l);
  return { shape, params, ids, positions, labels, labelIdx };
}
