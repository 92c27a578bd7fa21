// Recycles the float32 buffers native kernels write into. Without it every kernel output is a fresh
// ArrayBuffer: the OS page-faults and zeroes it, and V8 frees it only at some later GC, so a training
// step spent more time allocating than computing (measured: 2M-element Multiply 3 ms into a reused
// buffer, 66 ms into a new one).
//
// A buffer is reused only when it is provably unreachable from JS: we allocated it, no live tensor
// data refers to it (views made by reference kernels such as a contiguous Slice count as references),
// and it never escaped through readSync/read (dataSync() hands out the backing array itself).
//
// Buffers come in size classes (8 per power of two, so at most 12.5% unused) and a kernel gets a view
// of the length it asked for. Exact sizes were not enough: pre-training masks a different number of
// positions every step, so the [masked rows, vocab] logits and their gradients changed size every step,
// never matched a free buffer, and the pool filled with buffers of sizes never asked for again (the
// loop's RSS grew by ≈ 33 MB a step to 2 GB and its step took 30% longer than the same step on a fixed
// batch). Fine-tuning's length-bucketed batches vary the same way.

interface Owned {
  /** The whole buffer, of its size class's length; kernels see a view of its start. */
  full: Float32Array;
  /** Live data ids whose values are this buffer or a view of it. */
  refs: number;
  escaped: boolean;
}

/** Below this many elements V8's allocator is cheap enough; pooling would only add bookkeeping. */
const MIN_POOLED = 1024;

/** Classes per power of two: 8 bounds the unused tail of a buffer to 1/8 of it. */
const CLASSES_PER_OCTAVE = 8;

/** The capacity of the size class holding `size` elements: `size` rounded up to a multiple of 2^k / 8. */
export function sizeClass(size: number): number {
  if (size <= CLASSES_PER_OCTAVE) return size;
  const step = 2 ** Math.floor(Math.log2(size)) / CLASSES_PER_OCTAVE;
  return Math.ceil(size / step) * step;
}

/** How many classes above the asked one a free buffer may come from (≤ 2/8 more memory than needed). */
const CLASSES_UP = 2;

interface FreeBuffer {
  full: Float32Array;
  /** Release order: the oldest free buffer is evicted first when the pool is over its ceiling. */
  stamp: number;
}

export class BufferPool {
  private readonly owned = new Map<ArrayBufferLike, Owned>();
  /** Free buffers per capacity, oldest first (released at the end, reused from the end). */
  private readonly free = new Map<number, FreeBuffer[]>();
  /** Every release in order, for eviction; entries whose buffer was reused since are skipped. */
  private releases: { capacity: number; stamp: number }[] = [];
  private oldest = 0;
  private readonly freeStamps = new Set<number>();
  private nextStamp = 0;
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes: number) {}

  alloc(size: number): Float32Array {
    if (size < MIN_POOLED) return new Float32Array(size);
    let full = this.takeFree(sizeClass(size));
    if (!full) {
      // Uninitialised memory: every native kernel overwrites its whole output.
      const capacity = sizeClass(size);
      const bytes = Buffer.allocUnsafeSlow(capacity * 4);
      full = new Float32Array(bytes.buffer, bytes.byteOffset, capacity);
    }
    this.owned.set(full.buffer, { full, refs: 0, escaped: false });
    return size === full.length ? full : full.subarray(0, size);
  }

  /** The newest free buffer of `capacity`'s class or of one of the next CLASSES_UP classes. */
  private takeFree(capacity: number): Float32Array | undefined {
    for (let c = capacity, i = 0; i <= CLASSES_UP; i++, c = sizeClass(c + 1)) {
      const taken = this.free.get(c)?.pop();
      if (taken) {
        this.freeStamps.delete(taken.stamp);
        this.freeBytes -= taken.full.byteLength;
        return taken.full;
      }
    }
    return undefined;
  }

  private keepFree(full: Float32Array): void {
    const stamp = this.nextStamp++;
    const list = this.free.get(full.length);
    if (list) list.push({ full, stamp });
    else this.free.set(full.length, [{ full, stamp }]);
    this.freeStamps.add(stamp);
    this.releases.push({ capacity: full.length, stamp });
    this.freeBytes += full.byteLength;
    while (this.freeBytes > this.maxFreeBytes) this.evictOldest();
    // Drop the records of reused buffers now and then, so the release log stays the size of the pool.
    if (this.releases.length > 4 * this.freeStamps.size + 1024) {
      this.releases = this.releases.slice(this.oldest).filter((r) => this.freeStamps.has(r.stamp));
      this.oldest = 0;
    }
  }

  /** Lets V8 have the free buffer released longest ago (a shape the work has moved away from). */
  private evictOldest(): void {
    while (this.oldest < this.releases.length) {
      const { capacity, stamp } = this.releases[this.oldest++] as { capacity: number; stamp: number };
      if (!this.freeStamps.has(stamp)) continue;
      // The oldest live release of a class is the first in its list (lists are in release order).
      const evicted = this.free.get(capacity)?.shift() as FreeBuffer;
      this.freeStamps.delete(evicted.stamp);
      this.freeBytes -= evicted.full.byteLength;
      return;
    }
  }

  /** A data id now refers to `values` (called from the backend's write/move). */
  retain(values: unknown): void {
    const entry = this.entry(values);
    if (entry) entry.refs++;
  }

  /** A data id referring to `values` was deleted; recycles the buffer when nothing else can see it. */
  release(values: unknown): void {
    const entry = this.entry(values);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.owned.delete(entry.full.buffer);
    if (entry.escaped || entry.full.byteLength > this.maxFreeBytes) return;
    this.keepFree(entry.full);
  }

  /** A buffer from alloc() that never became tensor data (a kernel's scratch space): reuse it. */
  discard(values: Float32Array): void {
    const entry = this.entry(values);
    if (!entry || entry.refs > 0) return;
    entry.refs = 1;
    this.release(values);
  }

  /** JS code got hold of `values` (readSync): never reuse its buffer. */
  escape(values: unknown): void {
    const entry = this.entry(values);
    if (entry) entry.escaped = true;
  }

  stats(): { pooledBytes: number; liveOwnedBuffers: number } {
    return { pooledBytes: this.freeBytes, liveOwnedBuffers: this.owned.size };
  }

  /** Drops every free buffer (V8 frees them at its next GC). */
  clear(): void {
    this.free.clear();
    this.freeStamps.clear();
    this.releases = [];
    this.oldest = 0;
    this.freeBytes = 0;
  }

  private entry(values: unknown): Owned | undefined {
    if (!ArrayBuffer.isView(values)) return undefined;
    return this.owned.get(values.buffer);
  }
}
