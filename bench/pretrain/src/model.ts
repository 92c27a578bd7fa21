// A BERT-style MLM written for the benchmark in plain TF.js ops (the PyTorch twin is python/torch_bench.py):
// token + learned position embeddings, pre-LayerNorm blocks (multi-head self-attention, GELU
// feed-forward), final LayerNorm, a dense+GELU+LayerNorm head transform and the vocab projection tied
// to the token embedding, computed at the masked rows only; mean softmax cross-entropy over them.
// LayerNorm, GELU and the cross-entropy are @headstart/compute's fused ops (native kernels on
// 'headstart-cpu', standard-op compositions elsewhere), as a Headstart model would use them.
import { gelu, layerNorm as fusedLayerNorm, softmaxCrossEntropy, tf } from '@headstart/compute';
import type { BenchConfig } from './config';
import type { MlmBatch } from './data';

type V = tf.Variable;

interface Layer {
  ln1g: V;
  ln1b: V;
  wq: V;
  bq: V;
  wk: V;
  bk: V;
  wv: V;
  bv: V;
  wo: V;
  bo: V;
  ln2g: V;
  ln2b: V;
  w1: V;
  b1: V;
  w2: V;
  b2: V;
}

export interface MlmModel {
  config: BenchConfig;
  tokEmb: V;
  posEmb: V;
  layers: Layer[];
  lnfG: V;
  lnfB: V;
  headW: V;
  headB: V;
  headLnG: V;
  headLnB: V;
  outBias: V;
}

export function createModel(c: BenchConfig, seed: number): MlmModel {
  let s = seed;
  // Names are for reading the code only: TF.js variable names must be unique per process.
  const own = (init: tf.Tensor): V => {
    const v = tf.variable(init, true);
    init.dispose();
    return v;
  };
  const normal = (shape: number[], _name: string) => own(tf.truncatedNormal(shape, 0, 0.02, 'float32', s++));
  const fill = (shape: number[], value: number, _name: string) => own(tf.fill(shape, value));
  const d = c.dModel;
  return {
    config: c,
    tokEmb: normal([c.vocab, d], 'tok_emb'),
    posEmb: normal([c.seq, d], 'pos_emb'),
    layers: Array.from({ length: c.layers }, (_, i) => ({
      ln1g: fill([d], 1, `l${i}.ln1.g`),
      ln1b: fill([d], 0, `l${i}.ln1.b`),
      wq: normal([d, d], `l${i}.wq`),
      bq: fill([d], 0, `l${i}.bq`),
      wk: normal([d, d], `l${i}.wk`),
      bk: fill([d], 0, `l${i}.bk`),
      wv: normal([d, d], `l${i}.wv`),
      bv: fill([d], 0, `l${i}.bv`),
      wo: normal([d, d], `l${i}.wo`),
      bo: fill([d], 0, `l${i}.bo`),
      ln2g: fill([d], 1, `l${i}.ln2.g`),
      ln2b: fill([d], 0, `l${i}.ln2.b`),
      w1: normal([d, c.ff], `l${i}.w1`),
      b1: fill([c.ff], 0, `l${i}.b1`),
      w2: normal([c.ff, d], `l${i}.w2`),
      b2: fill([d], 0, `l${i}.b2`),
    })),
    lnfG: fill([d], 1, 'lnf.g'),
    lnfB: fill([d], 0, 'lnf.b'),
    headW: normal([d, d], 'head.w'),
    headB: fill([d], 0, 'head.b'),
    headLnG: fill([d], 1, 'head.ln.g'),
    headLnB: fill([d], 0, 'head.ln.b'),
    outBias: fill([c.vocab], 0, 'out.bias'),
  };
}

export function modelVariables(m: MlmModel): V[] {
  return [
    m.tokEmb,
    m.posEmb,
    ...m.layers.flatMap((l) => Object.values(l) as V[]),
    m.lnfG,
    m.lnfB,
    m.headW,
    m.headB,
    m.headLnG,
    m.headLnB,
    m.outBias,
  ];
}

function layerNorm(x: tf.Tensor2D, g: V, b: V): tf.Tensor2D {
  return fusedLayerNorm(x, g, b, 1e-12);
}

function dense(x: tf.Tensor2D, w: V, b: V): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D;
}

function attention(x: tf.Tensor2D, l: Layer, c: BenchConfig): tf.Tensor2D {
  const dh = c.dModel / c.heads;
  const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [c.batch, c.seq, c.heads, dh]), [0, 2, 1, 3]);
  const q = split(dense(x, l.wq, l.bq));
  const k = split(dense(x, l.wk, l.bk));
  const v = split(dense(x, l.wv, l.bv));
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
  const context = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [c.batch * c.seq, c.dModel]) as tf.Tensor2D;
  return dense(merged, l.wo, l.bo);
}

/** Mean MLM cross-entropy of one batch; call inside tf.tidy / optimizer.minimize. */
export function mlmLoss(
  m: MlmModel,
  ids: tf.Tensor1D,
  positions: tf.Tensor1D,
  labels: tf.Tensor1D,
): tf.Scalar {
  const c = m.config;
  const tokens = tf.reshape(tf.gather(m.tokEmb, ids), [c.batch, c.seq, c.dModel]);
  let x = tf.reshape(tf.add(tokens, m.posEmb), [c.batch * c.seq, c.dModel]) as tf.Tensor2D;
  for (const l of m.layers) {
    x = tf.add(x, attention(layerNorm(x, l.ln1g, l.ln1b), l, c));
    const h = layerNorm(x, l.ln2g, l.ln2b);
    x = tf.add(x, dense(gelu(dense(h, l.w1, l.b1)), l.w2, l.b2));
  }
  const final = layerNorm(x, m.lnfG, m.lnfB);
  const rows = tf.gather(final, positions) as tf.Tensor2D;
  const transformed = layerNorm(gelu(dense(rows, m.headW, m.headB)), m.headLnG, m.headLnB);
  const logits = tf.add(
    tf.matMul(transformed, m.tokEmb as tf.Tensor2D, false, true),
    m.outBias,
  ) as tf.Tensor2D;
  return softmaxCrossEntropy(logits, labels, 1 / labels.shape[0]);
}

/** Tensors for one batch (int32). */
export function batchTensors(
  c: BenchConfig,
  b: MlmBatch,
): { ids: tf.Tensor1D; positions: tf.Tensor1D; labels: tf.Tensor1D } {
  void c;
  return {
    ids: tf.tensor1d(b.inputIds, 'int32'),
    positions: tf.tensor1d(b.positions, 'int32'),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}
