import { makeBatch } from './encode';

describe('makeBatch', () => {
  const ids = [Int32Array.of(2, 10, 11, 3), Int32Array.of(2, 12, 13, 14, 15, 16, 17, 18, 19, 3)];

  it('pads to the longest row, masking the padding', () => {
    const batch = makeBatch(ids, [0, 1], 0);
    expect(batch.seqLen).toBe(10);
    expect(Array.from(batch.inputIds).slice(0, 10)).toEqual([2, 10, 11, 3, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch.attentionMask ?? []).slice(0, 10)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("rounds the length up to a multiple of 8 within the model's maximum", () => {
    expect(makeBatch(ids, [0, 1], 0, 128).seqLen).toBe(16);
    expect(makeBatch(ids, [0], 0, 128).seqLen).toBe(8);
    expect(makeBatch(ids, [0, 1], 0, 12).seqLen).toBe(12);
    const batch = makeBatch(ids, [1], 0, 128);
    expect(Array.from(batch.attentionMask ?? [])).toEqual([...Array(10).fill(1), ...Array(6).fill(0)]);
  });
});
