import { BUCKET_BATCHES, epochOrder } from './batch-order';

describe('epochOrder', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => 5 + ((i * 7919) % 97));

  it('is a permutation, deterministic in seed and epoch, different across epochs', () => {
    const a = epochOrder(lengths, 16, 3, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i));
    expect(epochOrder(lengths, 16, 3, 0)).toEqual(a);
    expect(epochOrder(lengths, 16, 3, 1)).not.toEqual(a);
    expect(epochOrder(lengths, 16, 4, 0)).not.toEqual(a);
  });

  it('groups rows of similar length, so a batch pads far fewer tokens than a plain shuffle', () => {
    const padded = (order: number[]) => {
      let total = 0;
      for (let b = 0; b < order.length; b += 16) {
        const rows = order.slice(b, b + 16);
        total += rows.length * Math.max(...rows.map((r) => lengths[r] as number));
      }
      return total;
    };
    const plain = Array.from({ length: 1000 }, (_, i) => (i * 389) % 1000);
    const real = lengths.reduce((s, x) => s + x, 0);
    const bucketed = padded(epochOrder(lengths, 16, 3, 0));
    expect(bucketed).toBeLessThan(padded(plain));
    expect(bucketed / real).toBeLessThan(1.15);
  });

  it('keeps every batch full but the last, and mixes windows of batches', () => {
    const order = epochOrder(lengths, 16, 3, 0);
    const window = 16 * BUCKET_BATCHES;
    // The first batches of the epoch do not all come from the first window of the shuffle.
    expect(new Set(order.slice(0, window)).size).toBe(window);
    expect(order.length).toBe(1000);
    expect(epochOrder([1, 2, 3], 16, 1, 0).sort()).toEqual([0, 1, 2]);
  });
});
