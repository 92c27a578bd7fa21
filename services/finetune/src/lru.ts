/**
 * A least-recently-used map bounded by entry count and by a total cost (e.g. bytes). Evicted values go to
 * `onEvict` (to free resources). Values whose cost alone exceeds the budget are still kept until the next
 * insert, so one oversized model can be used.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; cost: number }>();
  private totalCost = 0;

  constructor(
    private readonly limits: { maxEntries: number; maxCost: number },
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get cost(): number {
    return this.totalCost;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Adds or replaces `key` (a replaced value goes to `onEvict` unless it is the same value). */
  set(key: K, value: V, cost = 1): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.totalCost -= previous.cost;
      if (previous.value !== value) this.onEvict(key, previous.value);
    }
    this.entries.set(key, { value, cost });
    this.totalCost += cost;
    for (const [oldKey, entry] of this.entries) {
      if (this.entries.size <= 1) break;
      if (this.entries.size <= this.limits.maxEntries && this.totalCost <= this.limits.maxCost) break;
      if (oldKey === key) continue;
      this.entries.delete(oldKey);
      this.totalCost -= entry.cost;
      this.onEvict(oldKey, entry.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.totalCost -= entry.cost;
    this.onEvict(key, entry.value);
    return true;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }
}
