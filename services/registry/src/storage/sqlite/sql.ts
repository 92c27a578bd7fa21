import type Database from 'better-sqlite3';

/**
 * Prepared statements cached by their text: queries built from optional filters have a bounded
 * number of shapes, and preparing is most of the cost of a point lookup.
 */
export class Sql {
  private readonly cache = new Map<string, Database.Statement>();

  /**
   * @param traceHeaders the current trace context as W3C headers, stored with each outbox row
   *   (see captureTraceHeaders in @headstart/events); none by default.
   */
  constructor(
    readonly db: Database.Database,
    readonly traceHeaders: () => Record<string, string> = () => ({}),
  ) {}

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
    return this.db.transaction(fn).immediate();
  }

  /** Runs `fn` in a read transaction: one consistent snapshot across its queries. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }
}
