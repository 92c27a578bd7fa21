// @headstart/registry/internal: the registry's SQLite metadata store, for this repo's benchmarks (the
// outbox drain reads a running registry's database through a second connection). Not a stable surface.
export { SqliteMetadataStore } from './storage/sqlite/sqlite-metadata-store';
export type { SqliteMetadataStoreOptions } from './storage/sqlite/sqlite-metadata-store';
