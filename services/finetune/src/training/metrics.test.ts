import { classificationMetrics, flatMetrics } from './metrics';

describe('classificationMetrics', () => {
  it('matches a hand-computed confusion matrix', () => {
    // truth:     a a a b b c
    // predicted: a a b b c c
    const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 0.5, 'test', 7);
    expect(m.confusionMatrix?.counts).toEqual([2, 1, 0, 0, 1, 1, 0, 0, 1]);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    const [a, b, c] = m.perClass;
    expect(a).toMatchObject({ label: 'a', precision: 1, support: 3 });
    expect(a?.recall).toBeCloseTo(2 / 3);
    expect(b?.precision).toBeCloseTo(1 / 2);
    expect(b?.recall).toBeCloseTo(1 / 2);
    expect(c?.precision).toBeCloseTo(1 / 2);
    expect(c?.recall).toBe(1);
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    expect(m.macroF1).toBeCloseTo((f1(1, 2 / 3) + f1(0.5, 0.5) + f1(0.5, 1)) / 3);
    expect(m).toMatchObject({ split: 'test', examples: 6, loss: 0.5, step: 7 });
  });

  it('a class never predicted and never present scores 0, not NaN', () => {
    const m = classificationMetrics(['a', 'b'], [0, 0], [0, 0], 0.1, 'dev', 1);
    expect(m.perClass[1]).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.macroF1).toBe(0.5);
    expect(flatMetrics(m, undefined)).toMatchObject({
      accuracy: 1,
      'precision/b': 0,
      'recall/a': 1,
      test_examples: 2,
    });
  });
});
