import { getLr, getLrByFraction, validateLrSchedule } from './schedule';

describe('getLr', () => {
  const schedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-4 };

  it('warms up linearly, starting above zero', () => {
    expect(getLr(0, schedule)).toBeCloseTo(1e-3 / 11, 12);
    expect(getLr(9, schedule)).toBeCloseTo(1e-3 * (10 / 11), 12);
  });

  it('decays by cosine from the peak to minLr, then stays there', () => {
    expect(getLr(10, schedule)).toBeCloseTo(1e-3, 12);
    expect(getLr(60, schedule)).toBeCloseTo(1e-4 + 0.5 * 9e-4, 12);
    expect(getLr(110, schedule)).toBe(1e-4);
    expect(getLr(5000, schedule)).toBe(1e-4);
  });

  it('decays linearly or not at all when asked', () => {
    expect(getLr(35, { ...schedule, decay: 'linear' })).toBeCloseTo(1e-4 + 0.75 * 9e-4, 12);
    expect(getLr(500, { ...schedule, decay: 'constant' })).toBe(1e-3);
  });

  it('names the field of each problem', () => {
    expect(validateLrSchedule(schedule)).toEqual([]);
    const fields = (s: object) => validateLrSchedule({ ...schedule, ...s }).map((p) => p.field);
    expect(fields({ peak: NaN })).toEqual(['peak']);
    expect(fields({ minLr: 1 })).toEqual(['minLr']);
    expect(fields({ warmupSteps: -1 })).toEqual(['warmupSteps']);
    expect(fields({ totalSteps: 10 })).toEqual(['totalSteps']);
    expect(fields({ decay: 'step' })).toEqual(['decay']);
  });
});

describe('getLrByFraction', () => {
  const schedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 1_000_000_000, minLr: 1e-4 };

  it('warms up by steps, then decays with the share of the time budget used', () => {
    expect(getLrByFraction(4, 0.5, schedule)).toBe(getLr(4, schedule));
    expect(getLrByFraction(10, 0, schedule)).toBeCloseTo(1e-3, 12);
    expect(getLrByFraction(500, 0.5, schedule)).toBeCloseTo(5.5e-4, 12);
    expect(getLrByFraction(900, 1, schedule)).toBeCloseTo(1e-4, 12);
    expect(getLrByFraction(901, 1.3, schedule)).toBeCloseTo(1e-4, 12);
  });

  it('follows the step cap when it is nearer than the time budget', () => {
    const capped = { ...schedule, totalSteps: 110 };
    expect(getLrByFraction(60, 0.1, capped)).toBeCloseTo(getLr(60, capped), 12);
    expect(getLrByFraction(60, 0.9, capped)).toBeLessThan(getLr(60, capped));
  });
});
