// The analytic gradient of the full losses against central finite differences, for a sample of entries
// of every parameter tensor, on each test backend. float32 forward passes: eps = 1e-2 keeps rounding
// noise (~1e-6 / 2eps) two orders below the tolerance, and a larger init std (0.3) makes gradients big
// enough to compare. Then every gradient entry on 'headstart-cpu' (native and fused kernels) against
// the pure-JS 'cpu' backend, from the same weights, batch and dropout masks.
import * as tf from '@tensorflow/tfjs-core';
import type { ClassificationBatch } from './classification';
import { classificationLoss } from './classification';
import type { BertModel } from './encoder';
import { mlmLoss } from './mlm';
import { createBertModel, disposeModel } from './model';
import { createRng } from './rng';
import type { TestBackend } from './tiny-model.fixture';
import { TINY, describeOnBackends, makeMlmBatch, scalarOf, useBackend } from './tiny-model.fixture';

const EPS = 1e-2;

interface Comparison {
  name: string;
  analytic: number;
  numeric: number;
}

/** Passes when |a − n| ≤ 1e-2·max(|a|, |n|) + 2e-4 entry-wise (measured: worst 0.25% where |g| > 1e-2). */
function withinTolerance({ analytic, numeric }: Comparison): boolean {
  return Math.abs(analytic - numeric) <= 1e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-4;
}

function checkGradients(model: BertModel, loss: () => tf.Scalar, samplesPerTensor: number): Comparison[] {
  const names = [...model.params.keys()];
  const variables = names.map((n) => model.params.get(n) as tf.Variable);
  const { value, grads } = tf.variableGrads(loss, variables);
  value.dispose();
  const rng = createRng(123);
  const comparisons: Comparison[] = [];
  names.forEach((name, i) => {
    const variable = variables[i] as tf.Variable;
    const grad = grads[variable.name];
    expect(grad).toBeDefined();
    const analytic = (grad as tf.Tensor).dataSync() as Float32Array;
    const original = Float32Array.from(variable.dataSync());
    // The entry with the largest gradient, plus random ones.
    let largest = 0;
    analytic.forEach((g, j) =>
      Math.abs(g) > Math.abs(analytic[largest] as number) ? (largest = j) : undefined,
    );
    const picks = [
      largest,
      ...Array.from({ length: samplesPerTensor - 1 }, () => rng.nextInt(original.length)),
    ];
    for (const j of picks) {
      const at = (delta: number) => {
        const perturbed = Float32Array.from(original);
        perturbed[j] = (original[j] as number) + delta;
        variable.assign(tf.tensor(perturbed, variable.shape));
        return scalarOf(loss);
      };
      const numeric = (at(EPS) - at(-EPS)) / (2 * EPS);
      comparisons.push({ name: `${name}[${j}]`, analytic: analytic[j] as number, numeric });
    }
    variable.assign(tf.tensor(original, variable.shape));
  });
  Object.values(grads).forEach((g) => g.dispose());
  return comparisons;
}

function expectAllClose(comparisons: Comparison[]): void {
  const failures = comparisons.filter((c) => !withinTolerance(c));
  expect(failures).toEqual([]);
  // Make sure the check has teeth: most sampled gradients are far from zero, and a 5% error would fail.
  expect(comparisons.filter((c) => Math.abs(c.analytic) > 1e-2).length).toBeGreaterThan(
    comparisons.length / 2,
  );
  const skewed = comparisons
    .map((c) => ({ ...c, analytic: c.analytic * 1.05 }))
    .filter((c) => Math.abs(c.numeric) > 1e-2);
  expect(skewed.every(withinTolerance)).toBe(false);
}

describeOnBackends('gradient check against central differences', () => {
  it('matches for the full MLM loss (every parameter tensor, 3 entries each, with padding)', () => {
    const model = createBertModel({ ...TINY, initStd: 0.3 }, { seed: 5 });
    const batch = makeMlmBatch(createRng(6), 2, 8, TINY.vocabSize);
    const comparisons = checkGradients(model, () => mlmLoss(model, batch), 3);
    expect(comparisons.length).toBe(3 * model.params.size);
    expectAllClose(comparisons);
    disposeModel(model);
  });

  it('matches for the classification loss', () => {
    const model = createBertModel({ ...TINY, initStd: 0.3 }, { seed: 7, mlmHead: false, numLabels: 3 });
    const { inputIds, attentionMask } = makeMlmBatch(createRng(8), 3, 8, TINY.vocabSize);
    const batch: ClassificationBatch = {
      inputIds,
      attentionMask,
      batchSize: 3,
      seqLen: 8,
      labels: Int32Array.from([0, 2, 1]),
    };
    expectAllClose(checkGradients(model, () => classificationLoss(model, batch), 2));
    disposeModel(model);
  });
});

interface LossAndGrads {
  loss: number;
  grads: Map<string, Float32Array>;
}

/** Loss and every parameter's gradient of a freshly created model (bit-identical weights on any backend). */
async function lossAndGradsOn(
  backend: TestBackend,
  makeModel: () => BertModel,
  loss: (model: BertModel) => tf.Scalar,
): Promise<LossAndGrads> {
  await useBackend(backend);
  const model = makeModel();
  const names = [...model.params.keys()];
  const variables = names.map((n) => model.params.get(n) as tf.Variable);
  const { value, grads } = tf.variableGrads(() => loss(model), variables);
  const result: LossAndGrads = { loss: value.dataSync()[0] as number, grads: new Map() };
  names.forEach((name, i) => {
    const grad = grads[(variables[i] as tf.Variable).name];
    if (grad) result.grads.set(name, Float32Array.from(grad.dataSync()));
  });
  tf.dispose([value, ...Object.values(grads)]);
  disposeModel(model);
  return result;
}

/**
 * Largest |a − e| over the tensor, relative to the tensor's largest |e| floored at 1% of `floor`. The floor
 * is for gradients that are zero in exact arithmetic (the key biases: softmax ignores a shift shared by all
 * keys), where both backends return rounding noise of ~1e-8 and a purely relative error means nothing.
 */
function relativeError(actual: Float32Array, expected: Float32Array, floor: number): number {
  let scale = 0;
  let worst = 0;
  expected.forEach((e, i) => {
    scale = Math.max(scale, Math.abs(e));
    worst = Math.max(worst, Math.abs((actual[i] as number) - e));
  });
  return worst / Math.max(scale, 1e-2 * floor);
}

async function expectSameOnBothBackends(
  makeModel: () => BertModel,
  loss: (model: BertModel) => tf.Scalar,
): Promise<void> {
  const reference = await lossAndGradsOn('cpu', makeModel, loss);
  const native = await lossAndGradsOn('headstart-cpu', makeModel, loss);
  expect(Math.abs(native.loss - reference.loss)).toBeLessThan(1e-5 * Math.abs(reference.loss));
  expect([...native.grads.keys()]).toEqual([...reference.grads.keys()]);
  const largest = Math.max(...[...reference.grads.values()].map((g) => Math.max(...g.map(Math.abs))));
  const errors = [...reference.grads].map(([name, expected]) => ({
    name,
    error: relativeError(native.grads.get(name) as Float32Array, expected, largest),
  }));
  // Measured: ≤ 1.4e-6 (float32 sums in another order); a wrong kernel or constant is off by far more.
  expect(errors.filter((e) => !(e.error < 2e-5))).toEqual([]);
}

describe("gradients on 'headstart-cpu' against the 'cpu' backend", () => {
  it('agree for the MLM loss in training mode (dropout, padding, mean over masked tokens)', async () => {
    const batch = makeMlmBatch(createRng(16), 3, 8, TINY.vocabSize);
    await expectSameOnBothBackends(
      () => createBertModel({ ...TINY, initStd: 0.3, dropout: 0.1 }, { seed: 15 }),
      (model) => mlmLoss(model, batch, { training: true, rng: createRng(17) }),
    );
  });

  it('agree for the summed classification loss', async () => {
    const { inputIds, attentionMask } = makeMlmBatch(createRng(18), 3, 8, TINY.vocabSize);
    const batch = { inputIds, attentionMask, batchSize: 3, seqLen: 8, labels: Int32Array.from([2, 0, 1]) };
    await expectSameOnBothBackends(
      () => createBertModel({ ...TINY, initStd: 0.3 }, { seed: 19, mlmHead: false, numLabels: 3 }),
      (model) => classificationLoss(model, batch, { reduction: 'sum' }),
    );
  });
});
