import {
  accuracy,
  classificationScores,
  macroF1,
  mean,
  meanConfidenceInterval,
  normalQuantile,
  pairedDifference,
  sampleStd,
  studentTQuantile,
} from './index';

describe('studentTQuantile', () => {
  it.each([
    [1, 12.7062047],
    [2, 4.30265273],
    [4, 2.77644511],
    [9, 2.26215716],
    [29, 2.04522964],
    [1000, 1.96233908],
  ])('t(0.975, %d) = %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 6);
  });

  it('reaches the normal quantile as df grows, and is symmetric', () => {
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.95996398, 7);
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.95996398, 7);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293, 6);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.77644511, 6);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('handles extreme tails and fractional df', () => {
    expect(studentTQuantile(0.9995, 1)).toBeCloseTo(636.6192, 2);
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.84091, 4);
    // df = 2 has a closed form: t = (2p − 1) / √(2p(1 − p)).
    expect(studentTQuantile(0.9, 2)).toBeCloseTo(0.8 / Math.sqrt(2 * 0.9 * 0.1), 9);
    expect(studentTQuantile(0.975, 2.5)).toBeGreaterThan(studentTQuantile(0.975, 3));
  });

  it('rejects what has no quantile', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('mean, sampleStd, meanConfidenceInterval', () => {
  it('computes the t interval: mean ± t(0.975, n−1)·s/√n', () => {
    const values = [70, 72, 74, 71, 73];
    expect(mean(values)).toBe(72);
    expect(sampleStd(values)).toBeCloseTo(Math.sqrt(2.5), 12);
    const ci = meanConfidenceInterval(values);
    expect(ci.halfWidth).toBeCloseTo((2.77644511 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
    expect(ci.lower).toBeCloseTo(72 - ci.halfWidth!, 12);
    expect(ci.n).toBe(5);
  });

  it('gives no interval for a single value instead of inventing one', () => {
    expect(meanConfidenceInterval([80])).toEqual({
      n: 1,
      mean: 80,
      sd: null,
      halfWidth: null,
      lower: null,
      upper: null,
      level: 0.95,
    });
    expect(() => mean([])).toThrow(RangeError);
  });
});

describe('pairedDifference', () => {
  it('summarises a − b over pairs', () => {
    const d = pairedDifference([80, 82, 79, 81], [78, 79, 80, 77]);
    // differences 2, 3, −1, 4: mean 2, s = √(14/3)
    expect(d.mean).toBeCloseTo(2, 12);
    expect(d.sd).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(d.halfWidth).toBeCloseTo((3.18244631 * Math.sqrt(14 / 3)) / 2, 6);
    expect([d.positive, d.negative, d.ties]).toEqual([3, 1, 0]);
  });

  it('has an undefined interval with one pair', () => {
    const d = pairedDifference([80], [78]);
    expect(d.mean).toBe(2);
    expect([d.lower, d.upper, d.halfWidth]).toEqual([null, null, null]);
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});

describe('metrics', () => {
  // class 0: F1 2·1/(2+2) = 0.5; class 1: 2·2/(2+3) = 0.8; class 2: 0 (never predicted); class 3: 0/0 → 0.
  const truth = [0, 0, 1, 1, 2];
  const predicted = [0, 1, 1, 1, 0];

  it('macro-F1 averages over every class of the task, zero_division = 0', () => {
    expect(accuracy(truth, predicted)).toBeCloseTo(0.6, 12);
    expect(macroF1(truth, predicted, 4)).toBeCloseTo(1.3 / 4, 12);
    expect(macroF1(truth, predicted, 3)).toBeCloseTo(1.3 / 3, 12);
    expect(classificationScores(truth, Int32Array.from(predicted), 4).perClassF1).toEqual([0.5, 0.8, 0, 0]);
  });

  it('rejects empty or mismatched labels and out-of-range classes', () => {
    expect(() => accuracy([], [])).toThrow(RangeError);
    expect(() => macroF1([0, 1], [0], 2)).toThrow(RangeError);
    expect(() => macroF1([0, 5], [0, 1], 2)).toThrow(RangeError);
  });
});
