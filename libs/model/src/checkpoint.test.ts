import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createAdamW } from './adamw';
import { classify } from './classification';
import { evaluateMlmLoss } from './mlm';
import { createBertModel, disposeModel, removeMlmHead } from './model';
import { deserializeModel, loadModel, saveModel, serializeModel } from './model-files';
import { deserializeAdamWState, serializeAdamWState } from './optimizer-state';
import { createRng } from './rng';
import { loadSafetensors } from './safetensors';
import { mlmTrainStep } from './train-step';
import { TINY, makeMlmBatch, describeOnBackends } from './tiny-model.fixture';
import { TOKEN_TYPE_EMBEDDINGS, exportWeights, importWeights } from './weights';

describeOnBackends('weights in Hugging Face layout', () => {
  it('exports linear weights transposed to [out, in] and a zero token-type row', async () => {
    const model = createBertModel(TINY, { seed: 1 });
    const records = await exportWeights(model.params);
    const ours = model.params.get('bert.encoder.layer.0.intermediate.dense.weight')!;
    const hf = records['bert.encoder.layer.0.intermediate.dense.weight']!;
    expect(ours.shape).toEqual([16, 32]);
    expect(hf.shape).toEqual([32, 16]);
    const o = ours.dataSync();
    expect(hf.data[3 * 16 + 5]).toBe(o[5 * 32 + 3]); // hf[out=3][in=5] = ours[in=5][out=3]
    expect(records['bert.embeddings.word_embeddings.weight']!.shape).toEqual([50, 16]);
    expect(records[TOKEN_TYPE_EMBEDDINGS]).toEqual({ shape: [1, 16], data: new Float32Array(16) });
    disposeModel(model);
  });

  it('folds a non-zero HF token-type row into the position embeddings', async () => {
    const model = createBertModel(TINY, { seed: 1 });
    const records = await exportWeights(model.params);
    const positions = Float32Array.from(records['bert.embeddings.position_embeddings.weight']!.data);
    records[TOKEN_TYPE_EMBEDDINGS] = { shape: [2, 16], data: new Float32Array(32).fill(0.5) };
    importWeights(model.params, records);
    const after = model.params.get('bert.embeddings.position_embeddings.weight')!.dataSync();
    expect(after[17]).toBeCloseTo((positions[17] as number) + 0.5, 6);
    disposeModel(model);
  });

  it('names the tensor whose shape does not match and leaves the model untouched', async () => {
    const model = createBertModel(TINY, { seed: 1 });
    const other = createBertModel({ ...TINY, ff: 48 }, { seed: 2 });
    const before = Float32Array.from(model.params.get('bert.embeddings.word_embeddings.weight')!.dataSync());
    const records = await exportWeights(other.params);
    expect(() => importWeights(model.params, records)).toThrow(
      "tensor bert.encoder.layer.0.intermediate.dense.weight: checkpoint shape [48,16] does not match the model's [32,16]",
    );
    expect(model.params.get('bert.embeddings.word_embeddings.weight')!.dataSync()).toEqual(before);
    [model, other].forEach(disposeModel);
  });

  it('reports missing and unexpected tensors, strictly by default', async () => {
    const base = createBertModel(TINY, { seed: 1 });
    const records = await exportWeights(base.params);
    const classifier = removeMlmHead(createBertModel(TINY, { seed: 2, numLabels: 3 }));
    expect(() => importWeights(classifier.params, records)).toThrow(
      /missing \[bert.pooler.dense.weight.*unexpected \[cls.predictions/,
    );
    const report = importWeights(classifier.params, records, { strict: false });
    expect(report.missing).toEqual([
      'bert.pooler.dense.weight',
      'bert.pooler.dense.bias',
      'classifier.weight',
      'classifier.bias',
    ]);
    expect(report.unexpected).toEqual(
      expect.arrayContaining(['cls.predictions.bias', 'cls.predictions.transform.dense.weight']),
    );
    [base, classifier].forEach(disposeModel);
  });
});

describeOnBackends('model files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headstart-model-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('saves model.safetensors + config.json and loads a model that computes the same loss', async () => {
    const model = createBertModel(TINY, { seed: 3 });
    const batch = makeMlmBatch(createRng(4), 2, 8, TINY.vocabSize);
    const optimizer = createAdamW(model.params);
    await mlmTrainStep(model, optimizer, [batch], { lr: 1e-2 }); // not just the init
    await saveModel(dir, model, { metadata: { step: '1' } });

    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'megatron-bert',
      architectures: ['MegatronBertForMaskedLM'],
      hidden_size: 16,
    });
    const { metadata, tensors } = loadSafetensors(await readFile(join(dir, 'model.safetensors')));
    expect(metadata).toMatchObject({ format: 'pt', step: '1' });
    expect(tensors['bert.encoder.layer.1.attention.ln.weight']?.shape).toEqual([16]);

    const loaded = await loadModel(dir);
    expect(loaded.config).toEqual(model.config);
    expect(await evaluateMlmLoss(loaded, batch)).toBe(await evaluateMlmLoss(model, batch));
    const again = await serializeModel(loaded, { metadata: { step: '1' } });
    expect(again.weights.equals(await readFile(join(dir, 'model.safetensors')))).toBe(true);
    optimizer.dispose();
    [model, loaded].forEach(disposeModel);
  });

  it('rebuilds a classifier from the safetensors file alone', async () => {
    const model = createBertModel(TINY, { seed: 5, mlmHead: false, numLabels: 4 });
    const { weights, configJson } = await serializeModel(model, { labels: ['a', 'b', 'c', 'd'] });
    expect(JSON.parse(configJson)).toMatchObject({
      architectures: ['MegatronBertForSequenceClassification'],
      num_labels: 4,
    });
    const loaded = deserializeModel(weights);
    const input = { inputIds: Int32Array.from({ length: 16 }, (_, i) => 2 + i), batchSize: 2, seqLen: 8 };
    const [a, b] = await Promise.all([classify(model, input), classify(loaded, input)]);
    expect(b).toEqual(a);
    expect(a[0]!.probabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    [model, loaded].forEach(disposeModel);
  });

  it('round-trips AdamW state through safetensors', async () => {
    const model = createBertModel(TINY, { seed: 6 });
    const optimizer = createAdamW(model.params);
    await mlmTrainStep(model, optimizer, [makeMlmBatch(createRng(7), 2, 8, TINY.vocabSize)], { lr: 1e-3 });
    const state = await optimizer.exportState();
    const restored = deserializeAdamWState(serializeAdamWState(state));
    expect(restored.step).toBe(1);
    expect(Object.keys(restored.moments).sort()).toEqual(Object.keys(state.moments).sort());
    const name = 'bert.encoder.layer.0.attention.self.key.weight';
    expect(
      Buffer.from(restored.moments[name]!.v.buffer).equals(Buffer.from(state.moments[name]!.v.buffer)),
    ).toBe(true);
    const numTensors = tf.memory().numTensors;
    optimizer.importState(restored);
    expect(tf.memory().numTensors).toBe(numTensors);
    optimizer.dispose();
    disposeModel(model);
  });
});
