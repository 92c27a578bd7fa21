import { unigramStats } from './unigram';

describe('unigramStats', () => {
  it('is the entropy of the training frequencies, specials excluded', () => {
    // ids 0 and 1 are special; 2 and 3 appear equally often: entropy ln 2.
    const train = Uint16Array.from([0, 2, 3, 2, 3, 1, 0]);
    const stats = unigramStats(train, Uint16Array.from([2, 3]), 4, [0, 1]);
    expect(stats.trainEntropy).toBeCloseTo(Math.log(2), 12);
    expect(stats.trainTokens).toBe(4);
    expect(stats.distinctTokens).toBe(2);
    // Add-one smoothing over the 2 ordinary ids: q(2) = q(3) = (2 + 1) / (4 + 2).
    expect(stats.validationCrossEntropy).toBeCloseTo(-Math.log(3 / 6), 12);
    expect(stats.validationTokens).toBe(2);
  });

  it('charges unseen validation tokens a finite cost, and a skewed distribution less than a uniform one', () => {
    const skewed = unigramStats(Uint16Array.from([2, 2, 2, 3]), Uint16Array.from([4]), 5, [0, 1]);
    expect(skewed.trainEntropy).toBeLessThan(Math.log(2));
    expect(skewed.validationCrossEntropy).toBeCloseTo(-Math.log(1 / (4 + 3)), 12);
  });

  it('has no cross-entropy without validation tokens', () => {
    expect(
      unigramStats(Uint16Array.from([2]), Uint16Array.from([0]), 3, [0]).validationCrossEntropy,
    ).toBeNaN();
  });
});
