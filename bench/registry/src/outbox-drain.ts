import * as path from 'node:path';

import { SqliteMetadataStore } from '@headstart/registry/internal';
import { waitFor } from '@headstart/testing';

/**
 * Waits until the registry's outbox relay has published every event the seeding wrote, so its
 * publishing (and the write per published row) does not overlap the measured lookups. Reads the
 * registry's SQLite file through a second connection (WAL: readers never block the registry).
 * Returns how long it waited, in seconds.
 */
export async function waitForOutboxDrained(dataDir: string, timeoutMs = 300_000): Promise<number> {
  const startedAt = performance.now();
  const store = SqliteMetadataStore.open({ file: path.join(dataDir, 'registry.db') });
  try {
    await waitFor(async () => (await store.countPendingOutbox()) === 0, {
      timeoutMs,
      intervalMs: 100,
      message: 'the registry outbox to drain to NATS',
    });
  } finally {
    await store.close();
  }
  return (performance.now() - startedAt) / 1000;
}
