// @headstart/registry/internal: the registry's SQLite metadata store, for this repo's benchmarks (the
// outbox drain reads a running registry's database through a second connection). Not a stable surface.
export { SqliteMetadataStore } from './storage/sqlite/sqlite-metadata-store';
export type { SqliteMetadataStoreOptions } from './storage/sqlite/sqlite-metadata-store';
// The outbox relay's publisher, for the NATS permissions test (tests/e2e/nats-permissions.test.ts).
export { createBusPublisher } from './outbox/bus-publisher';
export type { BusPublisher, BusPublisherOptions } from './outbox/bus-publisher';
