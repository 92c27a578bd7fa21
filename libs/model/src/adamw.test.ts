import * as tf from '@tensorflow/tfjs-core';
import { createAdamW } from './adamw';
import type { ParamMap } from './params';
import { describeOnBackends } from './tiny-model.fixture';

/** Textbook Adam with decoupled decay (Loshchilov & Hutter, Alg. 2 with η = 1), in doubles. */
function referenceAdamW(
  p0: number,
  grads: number[],
  lr: number,
  wd: number,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
): number[] {
  let [p, m, v] = [p0, 0, 0];
  return grads.map((g, i) => {
    const t = i + 1;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - b1 ** t);
    const vHat = v / (1 - b2 ** t);
    p = p - lr * wd * p - (lr * mHat) / (Math.sqrt(vHat) + eps);
    return p;
  });
}

function scalarParams(): ParamMap {
  return new Map<string, tf.Variable>([
    ['w', tf.variable(tf.tensor2d([[1]]))], // rank 2: decayed
    ['b', tf.variable(tf.tensor1d([1]))], // rank 1: not decayed
  ]);
}

describeOnBackends('AdamW', () => {
  it('matches hand-computed values for two steps on a scalar, decaying matrices but not biases', () => {
    const params = scalarParams();
    const opt = createAdamW(params, { weightDecay: 0.01 });
    const grads = [0.5, -0.25];
    for (const g of grads) {
      const map = new Map<string, tf.Tensor>([
        ['w', tf.tensor2d([[g]])],
        ['b', tf.tensor1d([g])],
      ]);
      opt.apply(map, 0.1);
      map.forEach((t) => t.dispose());
    }
    // By hand (ε neglected): step 1 m=0.05, v=2.5e-4, m̂=0.5, v̂=0.25 → w = 1 − 0.001 − 0.1·0.5/0.5 = 0.899.
    // Step 2 m=0.02, v=3.1225e-4, m̂=0.02/0.19, v̂=3.1225e-4/0.001999 → w = 0.899·0.999 − 0.1·m̂/√v̂.
    const w2 = 0.899 * 0.999 - (0.1 * (0.02 / 0.19)) / Math.sqrt(3.1225e-4 / 0.001999);
    expect(params.get('w')!.dataSync()[0]).toBeCloseTo(w2, 6);
    expect(w2).toBeCloseTo(referenceAdamW(1, grads, 0.1, 0.01)[1] as number, 7); // differs by ε only
    const b2 = 0.9 - (0.1 * (0.02 / 0.19)) / Math.sqrt(3.1225e-4 / 0.001999);
    expect(params.get('b')!.dataSync()[0]).toBeCloseTo(b2, 6);
    expect(opt.step).toBe(2);
    opt.dispose();
    params.forEach((v) => v.dispose());
  });

  it('resumes exactly from exported state', async () => {
    const run = async (split: boolean) => {
      const params = scalarParams();
      let opt = createAdamW(params);
      const values: number[] = [];
      for (let step = 0; step < 6; step++) {
        if (split && step === 3) {
          const state = await opt.exportState();
          opt.dispose();
          opt = createAdamW(params);
          opt.importState(state);
        }
        const g = Math.sin(step + 1);
        const map = new Map<string, tf.Tensor>([
          ['w', tf.tensor2d([[g]])],
          ['b', tf.tensor1d([-g])],
        ]);
        opt.apply(map, 0.05);
        map.forEach((t) => t.dispose());
        values.push(params.get('w')!.dataSync()[0] as number, params.get('b')!.dataSync()[0] as number);
      }
      opt.dispose();
      params.forEach((v) => v.dispose());
      return values;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('rejects unknown parameters, wrong shapes, bad learning rates and mismatched state', () => {
    const params = scalarParams();
    const opt = createAdamW(params);
    const bad = new Map([['nope', tf.tensor1d([1])]]);
    expect(() => opt.apply(bad, 0.1)).toThrow(/no parameter named nope/);
    const wrong = new Map([['b', tf.tensor1d([1, 2])]]);
    expect(() => opt.apply(wrong, 0.1)).toThrow(/gradient shape \[2\]/);
    expect(() => opt.apply(new Map(), NaN)).toThrow(/learning rate/);
    expect(() => opt.importState({ step: 1, moments: {} })).toThrow(/missing \[w,b\]/);
    expect(() => createAdamW(params, { beta2: 1 })).toThrow(/beta2/);
    [bad, wrong].forEach((m) => m.forEach((t) => t.dispose()));
    opt.dispose();
    params.forEach((v) => v.dispose());
  });
});
