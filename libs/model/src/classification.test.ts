import * as tf from '@tensorflow/tfjs-core';
import { createAdamW } from './adamw';
import { classificationLogits } from './classification';
import { encode } from './encoder';
import { createBertModel, disposeModel } from './model';
import { layerwiseLrScale, param } from './params';
import { TINY, describeOnBackends } from './tiny-model.fixture';

const MEAN = { ...TINY, pooling: 'mean' as const };

describeOnBackends('classification pooling', () => {
  const input = {
    inputIds: Int32Array.from([2, 5, 7, 9, 0, 0, 0, 0, 3, 4, 6, 8, 10, 11, 12, 13]),
    batchSize: 2,
    seqLen: 8,
    attentionMask: [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
  };

  it("'mean' feeds the pooler the mean of the hidden states over the non-padding tokens", async () => {
    const model = createBertModel(MEAN, { seed: 3, numLabels: 3 });
    const [got, want] = tf.tidy(() => {
      const hidden = tf.reshape(encode(model, input), [2, 8, TINY.dModel]);
      const first = tf.mean(tf.slice(hidden, [0, 0, 0], [1, 4, TINY.dModel]), 1);
      const second = tf.mean(tf.slice(hidden, [1, 0, 0], [1, 8, TINY.dModel]), 1);
      const pooled = tf.tanh(
        tf.add(
          tf.matMul(tf.concat([first, second]), param(model.params, 'bert.pooler.dense.weight')),
          param(model.params, 'bert.pooler.dense.bias'),
        ),
      );
      const expected = tf.add(
        tf.matMul(pooled, param(model.params, 'classifier.weight')),
        param(model.params, 'classifier.bias'),
      );
      return [classificationLogits(model, input).arraySync(), expected.arraySync() as number[][]];
    });
    expect(got.flat().length).toBe(6);
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i] as number, 5));
    disposeModel(model);
  });

  it("'mean' ignores what sits in the padding; 'cls' reads only the first position", () => {
    const repadded = { ...input, inputIds: Int32Array.from(input.inputIds).fill(17, 4, 8) };
    for (const pooling of ['mean', 'cls'] as const) {
      const model = createBertModel({ ...TINY, pooling }, { seed: 4, numLabels: 2 });
      const [a, b] = tf.tidy(() => [
        classificationLogits(model, input).arraySync(),
        classificationLogits(model, repadded).arraySync(),
      ]);
      expect(b).toEqual(a);
      disposeModel(model);
    }
  });

  it('trains with gradients through the mean', () => {
    const model = createBertModel(MEAN, { seed: 5, numLabels: 2 });
    const words = param(model.params, 'bert.embeddings.word_embeddings.weight');
    const { value, grads } = tf.variableGrads(() => tf.sum(classificationLogits(model, input)), [words]);
    value.dispose();
    const wordGrad = grads[words.name] as tf.Tensor;
    expect(tf.tidy(() => tf.sum(tf.abs(wordGrad)).arraySync() as number)).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
    disposeModel(model);
  });
});

describe('layerwiseLrScale', () => {
  it('gives the heads the full rate and lower layers geometrically less', () => {
    const scale = layerwiseLrScale(TINY, 0.5);
    expect(scale('classifier.weight')).toBe(1);
    expect(scale('bert.pooler.dense.bias')).toBe(1);
    expect(scale('bert.encoder.ln.weight')).toBe(1);
    expect(scale('bert.encoder.layer.1.ln.weight')).toBe(0.5);
    expect(scale('bert.encoder.layer.0.attention.self.query.weight')).toBe(0.25);
    expect(scale('bert.embeddings.word_embeddings.weight')).toBe(0.125);
    expect(layerwiseLrScale(TINY, 1)('bert.embeddings.position_embeddings.weight')).toBe(1);
    expect(() => layerwiseLrScale(TINY, 0)).toThrow(/layer decay/);
  });
});

describeOnBackends('AdamW lrScale', () => {
  it('scales each parameter’s step and freezes a parameter at 0', async () => {
    const make = () =>
      new Map([
        ['a', tf.variable(tf.tensor1d([1, 1]))],
        ['b', tf.variable(tf.tensor1d([1, 1]))],
        ['c', tf.variable(tf.tensor1d([1, 1]))],
      ]);
    const params = make();
    const scales: Record<string, number> = { a: 1, b: 0.5, c: 0 };
    const opt = createAdamW(params, { weightDecay: 0, lrScale: (n) => scales[n] as number });
    const grads = new Map([...params.keys()].map((n) => [n, tf.tensor1d([1, -1])] as const));
    opt.apply(grads, 0.1);
    // Adam's first step moves each entry by lr·sign(g).
    expect(Array.from(await params.get('a')!.data())).toEqual([
      expect.closeTo(0.9, 6),
      expect.closeTo(1.1, 6),
    ]);
    expect(Array.from(await params.get('b')!.data())).toEqual([
      expect.closeTo(0.95, 6),
      expect.closeTo(1.05, 6),
    ]);
    expect(Array.from(await params.get('c')!.data())).toEqual([1, 1]);
    expect(() => createAdamW(make(), { lrScale: () => Number.NaN })).toThrow(/lrScale of a/);
    tf.dispose([...grads.values(), ...params.values()]);
    opt.dispose();
  });
});
