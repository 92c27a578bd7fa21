// Loaded models for predictions, by version id (versions are immutable), bounded by bytes and count.
// Requests hold a reference while they compute, so an evicted model is disposed only once its last user
// is done; concurrent requests for a model not yet loaded share one load.
import { LruCache } from '../lru';

export interface Loaded<T> {
  value: T;
  /** What keeping it costs (weights' bytes). */
  bytes: number;
  dispose(): void;
}

interface Entry<T> {
  loading: Promise<Loaded<T>>;
  loaded: Loaded<T> | undefined;
  refs: number;
  evicted: boolean;
}

export interface ModelCacheOptions {
  /** @default 1 GiB */
  maxBytes?: number;
  /** @default 8 */
  maxEntries?: number;
}

export class ModelCache<T> {
  private readonly lru: LruCache<string, Entry<T>>;
  private loads = 0;

  constructor(options: ModelCacheOptions = {}) {
    this.lru = new LruCache<string, Entry<T>>(
      { maxEntries: options.maxEntries ?? 8, maxCost: options.maxBytes ?? 1024 ** 3 },
      (_key, entry) => {
        entry.evicted = true;
        this.release(entry, 0);
      },
    );
  }

  /** Models loaded so far (cache misses). */
  get loadCount(): number {
    return this.loads;
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.cost;
  }

  /** Runs `fn` with the model of `key`, loading it with `load` on a miss. */
  async use<R>(key: string, load: () => Promise<Loaded<T>>, fn: (value: T) => Promise<R>): Promise<R> {
    let entry = this.lru.get(key);
    if (!entry) {
      this.loads++;
      const created: Entry<T> = { loading: load(), loaded: undefined, refs: 0, evicted: false };
      entry = created;
      // Cost 0 until loaded; the real size is set once known.
      this.lru.set(key, created, 0);
      created.loading.then(
        (loaded) => {
          created.loaded = loaded;
          if (!created.evicted && this.lru.get(key) === created) this.lru.set(key, created, loaded.bytes);
          else this.release(created, 0);
        },
        () => {
          if (this.lru.get(key) === created) this.lru.delete(key);
        },
      );
    }
    entry.refs++;
    try {
      const loaded = await entry.loading;
      return await fn(loaded.value);
    } finally {
      this.release(entry, 1);
    }
  }

  private release(entry: Entry<T>, by: number): void {
    entry.refs -= by;
    if (entry.evicted && entry.refs === 0 && entry.loaded) {
      const loaded = entry.loaded;
      entry.loaded = undefined;
      loaded.dispose();
    }
  }

  clear(): void {
    this.lru.clear();
  }
}
