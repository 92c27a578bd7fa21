// Labelled datasets from the registry, parsed once per version (versions are immutable) and kept in a
// small LRU; concurrent loads of one version share the download.
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { LruCache } from '../lru';
import type { DataSettings } from '../spec/resolve-spec';
import { pinned } from '../spec/resolve-spec';
import { parseDataset, type ParsedDataset } from './parse-dataset';
import { prepareExamples, type PreparedExamples } from './prepare-examples';

export interface DatasetLoaderOptions {
  client: RegistryClient;
  /** Largest dataset artifact read into memory. @default 512 MiB */
  maxBytes?: number;
  /** Parsed datasets kept. @default 4 */
  cacheEntries?: number;
}

export class DatasetLoader {
  private readonly parsed: LruCache<string, Promise<ParsedDataset>>;
  private readonly prepared = new LruCache<string, PreparedExamples>({ maxEntries: 16, maxCost: Infinity });

  constructor(private readonly options: DatasetLoaderOptions) {
    this.parsed = new LruCache({ maxEntries: options.cacheEntries ?? 4, maxCost: Infinity });
  }

  load(version: registry.ModelVersion, signal?: AbortSignal): Promise<ParsedDataset> {
    const cached = this.parsed.get(version.id);
    if (cached) return cached;
    const loading = this.options.client
      .downloadToBuffer(pinned(version.modelName, version.version), {
        maxBytes: this.options.maxBytes ?? 512 * 1024 ** 2,
        ...(signal ? { signal } : {}),
      })
      .then((bytes) => parseDataset(bytes, version.metadata));
    // A failed load is not cached: the next call tries again.
    loading.catch(() => this.parsed.get(version.id) === loading && this.parsed.delete(version.id));
    this.parsed.set(version.id, loading);
    return loading;
  }

  /** The examples of `version` under `settings` (INVALID_ARGUMENT when they cannot train a classifier). */
  async prepare(
    version: registry.ModelVersion,
    settings: DataSettings,
    signal?: AbortSignal,
  ): Promise<PreparedExamples> {
    const key = `${version.id}\u0000${JSON.stringify(settings)}`;
    const cached = this.prepared.get(key);
    if (cached) return cached;
    const result = prepareExamples(await this.load(version, signal), settings);
    this.prepared.set(key, result);
    return result;
  }
}
