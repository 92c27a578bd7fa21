import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

import Database from 'better-sqlite3';

import { MIGRATIONS } from './migrations';

export interface OpenDatabaseOptions {
  /** Path of the SQLite file; its directory is created when missing. */
  file: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens the registry database and brings its schema up to date.
 *
 * - WAL: readers never block the writer and vice versa, so lookups stay fast during commits.
 * - synchronous=FULL: every commit fsyncs the WAL. With NORMAL a power cut can roll back the last
 *   commits after the client was told they succeeded and after their events were published, leaving
 *   consumers (fine-tuning) pointing at versions that no longer exist. One fsync per commit is cheap
 *   next to the artifact's own fsync.
 * - foreign_keys=ON: the schema's references (e.g. a parent cannot be deleted) are enforced.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new Database(options.file);
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal')
      throw new Error(`could not switch ${options.file} to WAL (got ${mode})`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies the migrations not yet recorded in `user_version`, each in its own transaction. */
export function migrate(db: Database.Database): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this registry understands (${MIGRATIONS.length}); ` +
        'upgrade the registry',
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length - current;
}
