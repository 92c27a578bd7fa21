import { largestRemainder, stratifiedSplit } from './split';

function items(counts: Record<string, number>): { id: string; stratum: string }[] {
  return Object.entries(counts).flatMap(([stratum, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${stratum}-${i}`, stratum })),
  );
}

describe('largestRemainder', () => {
  it('rounds to integers that sum to n, giving leftovers to the largest remainders', () => {
    expect(largestRemainder(10, [0.7, 0.1, 0.2])).toEqual([7, 1, 2]);
    expect(largestRemainder(9, [0.7, 0.1, 0.2])).toEqual([6, 1, 2]); // 6.3, 0.9, 1.8
    expect(largestRemainder(3, [0.5, 0.5])).toEqual([2, 1]); // tie goes to the first part
    expect(largestRemainder(0, [0.5, 0.5])).toEqual([0, 0]);
  });
});

describe('stratifiedSplit', () => {
  const data = items({ ham: 700, spam: 300 });

  it('splits each stratum in the given proportions', () => {
    const parts = stratifiedSplit(data, { train: 0.7, dev: 0.1, test: 0.2 }, 7);
    const count = (part: { stratum: string }[], stratum: string): number =>
      part.filter((x) => x.stratum === stratum).length;
    expect([count(parts.train, 'ham'), count(parts.dev, 'ham'), count(parts.test, 'ham')]).toEqual([
      490, 70, 140,
    ]);
    expect([count(parts.train, 'spam'), count(parts.dev, 'spam'), count(parts.test, 'spam')]).toEqual([
      210, 30, 60,
    ]);
  });

  it('puts every item in exactly one part', () => {
    const parts = stratifiedSplit(data, { train: 0.8, test: 0.2 }, 1);
    const ids = [...parts.train, ...parts.test].map((x) => x.id).sort();
    expect(ids).toEqual(data.map((x) => x.id).sort());
  });

  it('is deterministic for a seed, independent of input order, and changes with the seed', () => {
    const a = stratifiedSplit(data, { train: 0.8, test: 0.2 }, 1);
    const b = stratifiedSplit([...data].reverse(), { train: 0.8, test: 0.2 }, 1);
    const c = stratifiedSplit(data, { train: 0.8, test: 0.2 }, 2);
    const testIds = (p: { test: { id: string }[] }): string[] => p.test.map((x) => x.id).sort();
    expect(testIds(b)).toEqual(testIds(a));
    expect(testIds(c)).not.toEqual(testIds(a));
  });

  it('keeps the input order within each part', () => {
    const parts = stratifiedSplit(data, { train: 0.5, test: 0.5 }, 3);
    const positions = parts.test.map((x) => data.indexOf(x));
    expect(positions).toEqual([...positions].sort((p, q) => p - q));
  });

  it('normalises fractions and handles tiny strata', () => {
    const parts = stratifiedSplit(items({ a: 1, b: 2 }), { train: 3, test: 1 }, 0);
    expect(parts.train).toHaveLength(3); // 0.75 of 1 → 1, of 2 → 1.5 → 2 (tie to train)
    expect(parts.test).toHaveLength(0);
  });

  it('rejects bad fractions and duplicate ids', () => {
    expect(() => stratifiedSplit(data, {}, 0)).toThrow(RangeError);
    expect(() => stratifiedSplit(data, { a: -1, b: 2 }, 0)).toThrow(RangeError);
    expect(() => stratifiedSplit(data, { a: 0, b: 0 }, 0)).toThrow(RangeError);
    expect(() => stratifiedSplit([...data, data[0]!], { a: 1 }, 0)).toThrow(/duplicate id/);
  });
});
