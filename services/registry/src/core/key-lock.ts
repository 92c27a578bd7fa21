/**
 * Serialises async work per key (here: per blob digest). Whoever holds a digest's lock may decide
 * the fate of its file: an upload placing it and committing the version that references it, or a
 * delete checking it is unreferenced and removing it. Without it a delete could remove a blob that
 * a concurrent upload of the same bytes had just deduplicated against.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys currently locked or waited for (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
