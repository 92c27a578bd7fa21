// The analytic gradient of the full losses against central finite differences, for a sample of entries
// of every parameter tensor. float32 forward passes: eps = 1e-2 keeps rounding noise (~1e-6 / 2eps) two
// orders below the tolerance, and a larger init std (0.3) makes gradients big enough to compare.
import * as tf from '@tensorflow/tfjs-core';
import type { ClassificationBatch } from './classification';
import { classificationLoss } from './classification';
import type { BertModel } from './encoder';
import { mlmLoss } from './mlm';
import { createBertModel, disposeModel } from './model';
import { createRng } from './rng';
import { TINY, makeMlmBatch, scalarOf, useCpuBackend } from './tiny-model.fixture';

beforeAll(useCpuBackend);

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

describe('gradient check against central differences', () => {
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
