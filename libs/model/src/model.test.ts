import * as tf from '@tensorflow/tfjs-core';
import type { BertModel } from './encoder';
import { encode } from './encoder';
import { evaluateMlmLoss, mlmLogits, predictMasked } from './mlm';
import { createBertModel, disposeModel, encoderParams, removeMlmHead } from './model';
import { countParams } from './params';
import { createRng } from './rng';
import { TINY, makeMlmBatch, describeOnBackends } from './tiny-model.fixture';

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

describeOnBackends('createBertModel', () => {
  it('creates every parameter with its Hugging Face name and our [in, out] layout', () => {
    const model = createBertModel(TINY, { numLabels: 3 });
    const shape = (name: string) => model.params.get(name)?.shape;
    expect(shape('bert.embeddings.word_embeddings.weight')).toEqual([50, 16]);
    expect(shape('bert.embeddings.position_embeddings.weight')).toEqual([8, 16]);
    expect(shape('bert.encoder.layer.1.attention.self.query.weight')).toEqual([16, 16]);
    expect(shape('bert.encoder.layer.0.intermediate.dense.weight')).toEqual([16, 32]);
    expect(shape('bert.encoder.layer.0.output.dense.weight')).toEqual([32, 16]);
    expect(shape('bert.encoder.ln.weight')).toEqual([16]);
    expect(shape('cls.predictions.bias')).toEqual([50]);
    expect(shape('classifier.weight')).toEqual([16, 3]);
    // embeddings 58·16, per layer 4·(16·16+16) + 2·2·16 + (16·32+32) + (32·16+16), final LN, heads
    const perLayer = 4 * (16 * 16 + 16) + 4 * 16 + (16 * 32 + 32) + (32 * 16 + 16);
    expect(countParams(encoderParams(model))).toBe(58 * 16 + 2 * perLayer + 32);
    expect(countParams(model.params)).toBe(
      58 * 16 + 2 * perLayer + 32 + (16 * 16 + 16 + 32 + 50) + (16 * 16 + 16 + 16 * 3 + 3),
    );
    disposeModel(model);
  });

  it('initialises deterministically by seed: normal matrices, zero biases, unit LayerNorm gains', async () => {
    const a = createBertModel(TINY, { seed: 1 });
    const b = createBertModel(TINY, { seed: 1 });
    const c = createBertModel(TINY, { seed: 2 });
    for (const [name, variable] of a.params) {
      const [va, vb, vc] = await Promise.all([
        variable.data(),
        b.params.get(name)!.data(),
        c.params.get(name)!.data(),
      ]);
      expect(Buffer.from(va.buffer).equals(Buffer.from(vb.buffer))).toBe(true);
      if (name.endsWith('.bias')) expect(Math.max(...(va as Float32Array).map(Math.abs))).toBe(0);
      else if (variable.rank === 1) expect([...va].every((x) => x === 1)).toBe(true);
      else {
        expect(Buffer.from(va.buffer).equals(Buffer.from(vc.buffer))).toBe(false);
        expect(Math.max(...(va as Float32Array).map(Math.abs))).toBeLessThanOrEqual(2 * TINY.initStd);
      }
    }
    [a, b, c].forEach(disposeModel);
  });

  it('rejects an invalid config naming the field', () => {
    expect(() => createBertModel({ ...TINY, dModel: 15 })).toThrow(
      /dModel \(15\) must be divisible by heads/,
    );
  });
});

describeOnBackends('forward pass', () => {
  let model: BertModel;
  const batch = makeMlmBatch(createRng(4), 3, 8, TINY.vocabSize);
  beforeAll(() => {
    model = createBertModel({ ...TINY, dropout: 0.2 }, { seed: 3 });
  });
  afterAll(() => disposeModel(model));

  it('produces [B·S, d] hidden states and [masked, vocab] logits', () => {
    tf.tidy(() => {
      expect(encode(model, batch).shape).toEqual([24, 16]);
      expect(mlmLogits(model, batch).shape).toEqual([batch.maskedPositions.length, 50]);
    });
  });

  it('gives untouched outputs at real tokens whatever sits in the padding', async () => {
    const changed = { ...batch, inputIds: Int32Array.from(batch.inputIds) };
    const lastRow = (batch.batchSize - 1) * batch.seqLen;
    changed.inputIds[lastRow + 6] = 17;
    changed.inputIds[lastRow + 7] = 33;
    const [a, b] = await Promise.all([
      values(tf.tidy(() => encode(model, batch))),
      values(tf.tidy(() => encode(model, changed))),
    ]);
    const realEnd = (lastRow + 6) * 16;
    expect(Math.max(...a.subarray(0, realEnd).map((x, i) => Math.abs(x - (b[i] as number))))).toBeLessThan(
      1e-6,
    );
    // ...and the padding keys really are masked: without the mask the same change leaks into real tokens.
    const noMask = { ...batch, attentionMask: undefined };
    const [c, d] = await Promise.all([
      values(tf.tidy(() => encode(model, noMask))),
      values(tf.tidy(() => encode(model, { ...changed, attentionMask: undefined }))),
    ]);
    expect(
      Math.max(
        ...c.subarray(lastRow * 16, realEnd).map((x, i) => Math.abs(x - (d[lastRow * 16 + i] as number))),
      ),
    ).toBeGreaterThan(1e-3);
  });

  it('is deterministic in evaluation mode and uses seeded dropout in training mode', async () => {
    const evalA = await values(tf.tidy(() => encode(model, batch)));
    const evalB = await values(tf.tidy(() => encode(model, batch, { training: false, rng: createRng(1) })));
    expect(Buffer.from(evalA.buffer).equals(Buffer.from(evalB.buffer))).toBe(true);
    const train = (seed: number) =>
      values(tf.tidy(() => encode(model, batch, { training: true, rng: createRng(seed) })));
    const [t1, t1again, t2] = await Promise.all([train(1), train(1), train(2)]);
    expect(Buffer.from(t1.buffer).equals(Buffer.from(t1again.buffer))).toBe(true);
    expect(Buffer.from(t1.buffer).equals(Buffer.from(t2.buffer))).toBe(false);
    expect(Buffer.from(t1.buffer).equals(Buffer.from(evalA.buffer))).toBe(false);
    expect(() => tf.tidy(() => encode(model, batch, { training: true }))).toThrow(/needs an rng/);
  });

  it('starts near the uniform-prediction loss ln(vocab)', async () => {
    const loss = await evaluateMlmLoss(model, batch);
    expect(Math.abs(loss - Math.log(50))).toBeLessThan(0.3);
  });

  it('rejects bad inputs with a message', () => {
    expect(() =>
      tf.tidy(() => encode(model, { ...batch, seqLen: 9, inputIds: new Int32Array(27), batchSize: 3 })),
    ).toThrow(/exceeds the model's maxLen/);
    expect(() => tf.tidy(() => encode(model, { ...batch, inputIds: new Int32Array(24).fill(50) }))).toThrow(
      /outside vocab/,
    );
    expect(() =>
      tf.tidy(() => mlmLogits(model, { ...batch, maskedPositions: Int32Array.from([24]) })),
    ).toThrow(/masked position 24/);
  });

  it('predicts the top-k masked tokens with probabilities in order', async () => {
    const [first] = await predictMasked(model, batch, 5);
    expect(first?.tokenIds.length).toBe(5);
    const p = [...(first?.probabilities ?? [])];
    expect(p).toEqual([...p].sort((x, y) => y - x));
    expect(p.every((x) => x > 0 && x < 1)).toBe(true);
  });

  it('keeps no tensors behind after forward passes', async () => {
    const before = tf.memory().numTensors;
    await evaluateMlmLoss(model, batch);
    await predictMasked(model, batch, 3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describeOnBackends('removeMlmHead', () => {
  it('drops and disposes only the head parameters', () => {
    const model = createBertModel(TINY);
    const before = tf.memory().numTensors;
    removeMlmHead(model);
    expect([...model.params.keys()].some((n) => n.startsWith('cls.'))).toBe(false);
    expect(tf.memory().numTensors).toBe(before - 5);
    disposeModel(model);
  });
});
