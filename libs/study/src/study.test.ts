import {
  TrialLog,
  buildStudy,
  computeVerdict,
  summarizeStudy,
  type Arm,
  type Budget,
  type Trial,
} from './index';

/** A trial at `budget` for `seed` with the given accuracy (macro-F1 a point lower). */
function trial(budget: Budget, seed: number, arm: Arm, accuracy: number, examples?: number): Trial {
  const budgetExamples = examples ?? (budget === 'all' ? 4913 : budget);
  return { budget, budgetExamples, seed, arm, split: 'test', accuracy, macroF1: accuracy - 0.01 };
}

/** Five seeds where pretrained − scratch is `gain` ± a small per-seed wobble. */
function pairs(budget: Budget, base: number, gain: number, wobble: number[]): Trial[] {
  return wobble.flatMap((w, seed) => [
    trial(budget, seed, 'scratch', base + 0.002 * seed),
    trial(budget, seed, 'pretrained', base + 0.002 * seed + gain + w),
  ]);
}

const WOBBLE = [0.01, -0.01, 0.02, -0.02, 0];

describe('summarizeStudy', () => {
  const trials = [
    ...pairs(200, 0.5, 0.1, WOBBLE),
    ...pairs(50, 0.3, 0.005, WOBBLE),
    ...pairs('all', 0.8, -0.05, WOBBLE),
    ...[0, 1, 2, 3, 4].flatMap((seed) => [
      trial(200, seed, 'naive_bayes', 0.55),
      trial(200, seed, 'logistic_regression', 0.52 + 0.01 * seed),
    ]),
    { ...trial(200, 0, 'pretrained', 0.1), split: 'dev' as const },
  ];

  it('orders budgets (all last), summarises each arm in points, pairs by seed', () => {
    const summary = summarizeStudy(trials, { metric: 'accuracy' });
    expect(summary.budgets.map((b) => b.budget)).toEqual([50, 200, 'all']);
    const at200 = summary.budgets[1]!;
    expect(at200.arms.map((a) => a.arm)).toEqual([
      'pretrained',
      'scratch',
      'naive_bayes',
      'logistic_regression',
    ]);
    const scratch = at200.arms[1]!;
    expect(scratch.accuracy.mean).toBeCloseTo(50.4, 10);
    expect(scratch.macroF1.mean).toBeCloseTo(49.4, 10);
    expect(scratch.seeds).toEqual([0, 1, 2, 3, 4]);
    // The dev trial is not in the test summary.
    expect(at200.arms[0]!.accuracy.n).toBe(5);
    const d = at200.pretrainedVsScratch!.accuracy;
    expect(d.mean).toBeCloseTo(10, 10);
    expect(d.n).toBe(5);
    expect(d.positive).toBe(5);
  });

  it('pairs pretrained with the baseline of higher mean', () => {
    const at200 = summarizeStudy(trials, { metric: 'accuracy' }).budgets[1]!;
    // naive Bayes 55.0 beats logistic regression's mean 54.0.
    expect(at200.pretrainedVsBestBaseline!.baseline).toBe('naive_bayes');
    expect(at200.pretrainedVsBestBaseline!.accuracy.mean).toBeCloseTo(60.4 - 55, 10);
  });

  it('summarises a study in progress: unpaired arms have no difference yet', () => {
    const summary = summarizeStudy([trial(100, 1, 'scratch', 0.4)], { metric: 'macroF1' });
    expect(summary.budgets[0]!.pretrainedVsScratch).toBeNull();
    expect(summary.budgets[0]!.pretrainedVsBestBaseline).toBeNull();
  });

  it('rejects duplicate and invalid trials', () => {
    expect(() =>
      summarizeStudy([trial(100, 1, 'scratch', 0.4), trial(100, 1, 'scratch', 0.5)], { metric: 'accuracy' }),
    ).toThrow(/two trials/);
    expect(() => summarizeStudy([trial(100, 1, 'scratch', 40)], { metric: 'accuracy' })).toThrow(RangeError);
  });
});

describe('computeVerdict', () => {
  const verdictFor = (trials: Trial[], headlineBudget?: Budget) =>
    computeVerdict(summarizeStudy(trials, { metric: 'accuracy' }), { headlineBudget });

  it('says the pre-trained base helps when the interval is above zero (default budget: closest to 200)', () => {
    const v = verdictFor([
      ...pairs(50, 0.3, 0, WOBBLE),
      ...pairs(250, 0.5, 0.112, WOBBLE),
      ...pairs(1000, 0.7, 0, WOBBLE),
    ]);
    expect(v.budget).toBe(250);
    expect(v.kind).toBe('helps');
    expect(v.headline).toMatch(
      /^\+11\.2 points accuracy at 250 labels, 95% CI \[\d+\.\d, \d+\.\d\], 5 seeds: the pre-trained base helps\.$/,
    );
  });

  it('says there is no measurable head start when the interval contains zero', () => {
    const v = verdictFor(pairs(200, 0.5, 0.008, WOBBLE));
    expect(v.kind).toBe('no_measurable_difference');
    expect(v.headline).toMatch(
      /^No measurable head start at 200 labels \(\+0\.8 points accuracy, 95% CI \[-\d\.\d, \d\.\d\], 5 seeds\)\.$/,
    );
  });

  it('says it hurts when the interval is below zero, and names the full budget', () => {
    const v = verdictFor(pairs('all', 0.8, -0.05, WOBBLE), 'all');
    expect(v.kind).toBe('hurts');
    expect(v.headline).toMatch(
      /^-5\.0 points accuracy at all 4,913 labels, .*: the pre-trained base hurts\.$/,
    );
  });

  it('gives no verdict from one pair, and says when nothing is paired', () => {
    const single = verdictFor(pairs(200, 0.5, 0.03, [0]));
    expect(single.kind).toBe('single_pair');
    expect(single.headline).toBe(
      '+3.0 points accuracy at 200 labels from 1 seed: one pair gives no confidence interval, so no verdict.',
    );
    const none = verdictFor([trial(200, 0, 'scratch', 0.5)]);
    expect(none.kind).toBe('no_pairs');
    expect(none.headline).toBe('No paired pre-trained and from-scratch results at 200 labels yet.');
  });

  it('reports the pre-trained score alone for a study without a from-scratch arm', () => {
    const v = verdictFor([0.6, 0.62, 0.58].map((a, seed) => trial(200, seed, 'pretrained', a)));
    expect(v.kind).toBe('no_pairs');
    expect(v.headline).toMatch(
      /^Pre-trained: 60\.0 points accuracy at 200 labels, 95% CI \[\d+\.\d, \d+\.\d\], 3 seeds; this study ran no from-scratch arm/,
    );
    expect(v.baselineLine).toBe('This study ran no bag-of-words baseline at 200 labels.');
  });

  it('compares with the better bag-of-words baseline', () => {
    const trials = [
      ...pairs(200, 0.5, 0.1, WOBBLE),
      ...[0, 1, 2, 3, 4].map((seed) => trial(200, seed, 'logistic_regression', 0.62 + 0.002 * seed)),
    ];
    const v = verdictFor(trials);
    expect(v.baseline).toBe('logistic_regression');
    expect(v.baselineKind).toBe('hurts');
    expect(v.baselineLine).toMatch(
      /^Against the better bag-of-words baseline at 200 labels \(logistic regression\): -2\.0 points accuracy, .*the baseline is better\.$/,
    );
  });
});

describe('TrialLog', () => {
  it('takes trials as they come and summarises what it has', () => {
    const log = new TrialLog();
    log.add(trial(200, 0, 'scratch', 0.5));
    log.add(trial(200, 0, 'pretrained', 0.6));
    expect(log.size).toBe(2);
    expect(log.summarize({ metric: 'accuracy' }).budgets[0]!.pretrainedVsScratch!.accuracy.mean).toBeCloseTo(
      10,
      10,
    );
    expect(() => log.add(trial(200, 0, 'scratch', 0.5))).toThrow(/already logged/);
    expect(() => log.add(trial(200, 1, 'naive_bayes', 0.5, 180))).toThrow(/examples/);
    expect(log.size).toBe(2);
  });

  it('buildStudy keeps a copy of the trials beside the summary and verdict', () => {
    const trials = pairs(200, 0.5, 0.1, WOBBLE);
    const study = buildStudy(trials, {
      metric: 'macroF1',
      metadata: { dataset: { name: 'd' }, base: { name: 'b' } },
    });
    expect(study.trials).toEqual(trials);
    expect(study.verdict.metric).toBe('macroF1');
    expect(study.verdict.headline).toContain('points macro-F1 at 200 labels');
  });
});
