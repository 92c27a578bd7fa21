import type Database from 'better-sqlite3';

/**
 * Answers of read queries, kept until the database changes. GetVersion is the registry's hottest
 * call and its answer (a version row, its model, parents, tags and aliases: five statements in one
 * read transaction) changes only when something is written; on the loaded dev machine the statements
 * were a third of a GetVersion's server CPU (bench/registry).
 *
 * Invalidation: SQLite's `total_changes()` counts every row this connection has inserted, updated or
 * deleted, whichever code path did it (store methods, the outbox relay, direct `db` use), and costs
 * a fraction of a microsecond (no lock, no file access). Any change empties the cache before the next
 * read is answered; since better-sqlite3 is synchronous, no read can interleave with a write. Changes
 * by another connection are not seen: the registry owns its database (the data directory's LOCK keeps
 * a second registry out), and nothing else may write to it while the registry runs.
 *
 * Cached values are frozen (deeply) and shared between callers: they must not be modified.
 */
export class ReadCache<V extends object> {
  private readonly entries = new Map<string, V>();
  private readonly totalChanges: Database.Statement;
  private seenChanges = -1;

  constructor(
    db: Database.Database,
    /** Oldest entries are dropped beyond this many. */
    private readonly maxEntries = 10_000,
  ) {
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
  }

  /** The cached answer for `key`, or `load()`'s (cached when it returns; a throw is not cached). */
  get(key: string, load: () => V): V {
    const changes = this.totalChanges.get() as number;
    if (changes !== this.seenChanges) {
      this.entries.clear();
      this.seenChanges = changes;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = deepFreeze(load());
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  // Typed arrays cannot be frozen; nothing cached holds one, but a future field must not throw here.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value))
    return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
