import { BufferPool, sizeClass } from './buffer_pool';

describe('sizeClass', () => {
  it('rounds up by at most an eighth and never down', () => {
    for (const size of [1, 7, 8, 9, 1000, 1024, 1025, 5_029_888, 5_079_040, 123_457]) {
      const capacity = sizeClass(size);
      expect(capacity).toBeGreaterThanOrEqual(size);
      expect(capacity).toBeLessThanOrEqual(Math.ceil(size * 1.125));
      expect(sizeClass(capacity)).toBe(capacity);
    }
  });
});

describe('BufferPool', () => {
  it('hands a released buffer to the next request of a nearby size, as a view of the asked length', () => {
    const pool = new BufferPool(1 << 30);
    // The logits of two pre-training steps that masked 614 and 620 positions (vocab 8192).
    const first = pool.alloc(614 * 8192);
    pool.retain(first);
    pool.release(first);
    const second = pool.alloc(620 * 8192);
    expect(second.length).toBe(620 * 8192);
    expect(second.buffer).toBe(first.buffer);
    expect(pool.stats().pooledBytes).toBe(0);
  });

  it('keeps a buffer while a view of it is live, and never reuses one that escaped to JS', () => {
    const pool = new BufferPool(1 << 30);
    const a = pool.alloc(4096);
    pool.retain(a);
    pool.retain(a.subarray(0, 100)); // a reference kernel's contiguous slice
    pool.release(a);
    expect(pool.alloc(4096).buffer).not.toBe(a.buffer);
    pool.release(a.subarray(0, 100));
    expect(pool.alloc(4096).buffer).toBe(a.buffer);

    const b = pool.alloc(8192);
    pool.retain(b);
    pool.escape(b);
    pool.release(b);
    expect(pool.alloc(8192).buffer).not.toBe(b.buffer);
  });

  it('drops released buffers beyond its ceiling instead of holding them', () => {
    const pool = new BufferPool(10_000 * 4);
    const big = pool.alloc(20_000);
    pool.retain(big);
    pool.release(big);
    expect(pool.stats().pooledBytes).toBe(0);
  });
});

describe('BufferPool eviction and neighbouring classes', () => {
  it('reuses a free buffer up to two classes larger when its own class has none', () => {
    const pool = new BufferPool(1 << 30);
    const larger = pool.alloc(sizeClass(sizeClass(5000) + 1));
    pool.retain(larger);
    pool.release(larger);
    expect(pool.alloc(5000).buffer).toBe(larger.buffer);
  });

  it('evicts the buffers released longest ago to stay under its ceiling', () => {
    const bytes = 4096 * 4;
    const pool = new BufferPool(3 * bytes);
    const buffers = [4096, 4096, 4096, 4096].map((n) => pool.alloc(n));
    for (const b of buffers) {
      pool.retain(b);
      pool.release(b);
    }
    expect(pool.stats().pooledBytes).toBe(3 * bytes);
    // The newest three are kept (reused newest first); the first one released went to V8.
    const again = [pool.alloc(4096), pool.alloc(4096), pool.alloc(4096)].map((b) => b.buffer);
    expect(again).toEqual([buffers[3]?.buffer, buffers[2]?.buffer, buffers[1]?.buffer]);
    expect(pool.alloc(4096).buffer).not.toBe(buffers[0]?.buffer);
  });

  it('keeps its release log bounded while buffers are reused', () => {
    const pool = new BufferPool(1 << 30);
    for (let i = 0; i < 100_000; i++) {
      const b = pool.alloc(2048);
      pool.retain(b);
      pool.release(b);
    }
    expect((pool as unknown as { releases: unknown[] }).releases.length).toBeLessThan(2_000);
    expect(pool.stats().pooledBytes).toBe(2048 * 4);
  });
});
