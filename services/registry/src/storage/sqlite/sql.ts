import type Database from 'better-sqlite3';

/**
 * Prepared statements cached by their text: queries built from optional filters have a bounded
 * number of shapes, and preparing is most of the cost of a point lookup.
 */
export class Sql {
  private readonly cache = new Map<string, Database.Statement>();
  // One transaction wrapper for every call: better-sqlite3 builds a wrapper per db.transaction(),
  // which costs as much as a point lookup.
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  /**
   * @param traceHeaders the current trace context as W3C headers, stored with each outbox row
   *   (see captureTraceHeaders in @headstart/events); none by default.
   */
  constructor(
    readonly db: Database.Database,
    readonly traceHeaders: () => Record<string, string> = () => ({}),
  ) {
    this.transaction = db.transaction((fn: () => unknown) => fn());
  }

  statement(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.statement(sql).run(...params);
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: takes the write lock up front, so two writers never
   * deadlock upgrading a read lock. */
  write<T>(fn: () => T): T {
    return this.transaction.immediate(fn) as T;
  }

  /** Runs `fn` in a read transaction: one consistent snapshot across its queries. */
  read<T>(fn: () => T): T {
    return this.transaction.deferred(fn) as T;
  }
}
