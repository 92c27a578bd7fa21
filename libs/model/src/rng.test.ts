import { createRng } from './rng';

describe('createRng', () => {
  it('matches the xoshiro128** reference output for state [1, 2, 3, 4]', () => {
    const rng = createRng(0);
    rng.setState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 4] });
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    // Printed by the C reference implementation (Blackman & Vigna, xoshiro128starstar.c).
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42).fillNormal(new Float32Array(64), 1);
    const b = createRng(42).fillNormal(new Float32Array(64), 1);
    const c = createRng(43).fillNormal(new Float32Array(64), 1);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('resumes exactly from a saved state, including through JSON', () => {
    const rng = createRng(7);
    for (let i = 0; i < 1000; i++) rng.nextUint32();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const expected = Array.from({ length: 10 }, () => rng.nextFloat());
    const resumed = createRng(999);
    resumed.setState(saved);
    expect(Array.from({ length: 10 }, () => resumed.nextFloat())).toEqual(expected);
  });

  it('rejects invalid states and seeds', () => {
    const rng = createRng(1);
    expect(() => rng.setState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0] })).toThrow(/all-zero/);
    expect(() => rng.setState({ algorithm: 'xoshiro128**', words: [1, 2, 3, -1] })).toThrow(/unsigned/);
    expect(() => createRng(-1)).toThrow(/seed/);
    expect(() => createRng(1.5)).toThrow(/seed/);
  });

  it('draws integers uniformly within range', () => {
    const rng = createRng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.nextInt(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('draws normals with the requested moments and truncates at two sigma', () => {
    const rng = createRng(5);
    const xs = rng.fillNormal(new Float32Array(100_000), 2);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(variance) - 2)).toBeLessThan(0.03);
    const truncated = rng.fillTruncatedNormal(new Float32Array(100_000), 0.02);
    expect(Math.max(...truncated.map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-9);
    // A normal truncated at ±2σ has standard deviation 0.8796σ.
    const tVar = truncated.reduce((a, b) => a + b * b, 0) / truncated.length;
    expect(Math.abs(Math.sqrt(tVar) / 0.02 - 0.8796)).toBeLessThan(0.01);
  });

  it('fills Bernoulli masks from exactly the draws fillUniform makes, and leaves the same state', () => {
    const keep = 0.9;
    // State words ≥ 2^31 (as setState and checkpoints hand them over) and a length that is not a round number.
    const start = {
      algorithm: 'xoshiro128**' as const,
      words: [0xfedcba98, 2, 0x80000001, 4] as [number, number, number, number],
    };
    const a = createRng(0);
    const b = createRng(0);
    a.setState(start);
    b.setState(start);
    const expected = a.fillUniform(new Float32Array(10_007)).map((u) => (u < keep ? 1 / keep : 0));
    const mask = b.fillBernoulli(new Float32Array(10_007), keep, 1 / keep);
    expect(Buffer.from(mask.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    expect(b.getState()).toEqual(a.getState());
    expect(b.nextUint32()).toBe(a.nextUint32());
    const kept = mask.filter((m) => m !== 0).length / mask.length;
    expect(Math.abs(kept - keep)).toBeLessThan(0.01);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = createRng(9).shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
