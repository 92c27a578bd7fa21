import type Database from 'better-sqlite3';

import type { registry } from '@headstart/proto';

import type { VersionLocator } from '../../domain/locator';
import { describeLocator } from '../../domain/locator';
import type { VersionDraft } from '../../domain/version-draft';
import type {
  AliasHistoryQuery,
  CommitVersionInput,
  CommitVersionResult,
  DeleteAliasInput,
  Lineage,
  LineageQuery,
  ListModelsQuery,
  MetadataStore,
  OutboxRecord,
  SetAliasInput,
  TagChange,
  VersionQuery,
} from '../metadata-store';
import { deleteAlias, setAlias } from './alias-writes';
import { lineage } from './lineage';
import { openDatabase } from './open-database';
import * as outbox from './outbox-table';
import { aliasHistory, listModels, searchVersions } from './queries';
import { ReadCache } from './read-cache';
import { modelRowByName, resolveVersionRow, toModel, toModelVersion, versionRowById } from './rows';
import { Sql } from './sql';
import { setModelTags, setVersionTags } from './tag-writes';
import {
  checkCommitPreconditions,
  commitVersion,
  deleteVersion,
  findVersionByIdempotencyKey,
} from './version-writes';

export interface SqliteMetadataStoreOptions {
  /** Path of the database file. */
  file: string;
  /** @default 5000 */
  busyTimeoutMs?: number;
  /** Trace context to store with outbox rows, e.g. `captureTraceHeaders` of @headstart/events. */
  traceHeaders?: () => Record<string, string>;
}

/**
 * The embedded metadata store: one SQLite file (see openDatabase for the durability settings).
 * better-sqlite3 is synchronous, so every method runs to completion without yielding: write
 * transactions from concurrent requests are serialised by the event loop itself, and BEGIN IMMEDIATE
 * serialises them against other processes sharing the file.
 */
export class SqliteMetadataStore implements MetadataStore {
  private readonly sql: Sql;
  /** Resolved versions by locator, emptied by any write (see ReadCache). */
  private readonly versions: ReadCache<registry.ModelVersion>;

  private constructor(
    readonly db: Database.Database,
    traceHeaders?: () => Record<string, string>,
  ) {
    this.sql = new Sql(db, traceHeaders);
    this.versions = new ReadCache(db);
  }

  static open(options: SqliteMetadataStoreOptions): SqliteMetadataStore {
    return new SqliteMetadataStore(
      openDatabase({ file: options.file, busyTimeoutMs: options.busyTimeoutMs }),
      options.traceHeaders,
    );
  }

  async getModel(name: string): Promise<registry.Model | undefined> {
    return this.sql.read(() => {
      const row = modelRowByName(this.sql, name);
      return row ? toModel(this.sql, row) : undefined;
    });
  }

  async listModels(query: ListModelsQuery): Promise<registry.Model[]> {
    return this.sql.read(() => listModels(this.sql, query));
  }

  /** The answer is cached until the next write and frozen: callers must not modify it. */
  async resolveVersion(locator: VersionLocator): Promise<registry.ModelVersion> {
    return this.versions.get(describeLocator(locator), () =>
      this.sql.read(() => toModelVersion(this.sql, resolveVersionRow(this.sql, locator))),
    );
  }

  async getVersionById(id: string): Promise<registry.ModelVersion | undefined> {
    return this.sql.read(() => {
      const row = versionRowById(this.sql, id);
      return row ? toModelVersion(this.sql, row) : undefined;
    });
  }

  async searchVersions(query: VersionQuery): Promise<registry.ModelVersion[]> {
    return this.sql.read(() => searchVersions(this.sql, query));
  }

  async aliasHistory(query: AliasHistoryQuery): Promise<registry.AliasEvent[]> {
    return this.sql.read(() => aliasHistory(this.sql, query));
  }

  async lineage(query: LineageQuery): Promise<Lineage> {
    return this.sql.read(() => lineage(this.sql, query));
  }

  async findByIdempotencyKey(modelName: string, key: string): Promise<registry.ModelVersion | undefined> {
    return this.sql.read(() => {
      const row = findVersionByIdempotencyKey(this.sql, modelName, key);
      return row ? toModelVersion(this.sql, row) : undefined;
    });
  }

  async isBlobReferenced(sha256: string): Promise<boolean> {
    return this.sql.get('SELECT 1 FROM versions WHERE sha256 = ? LIMIT 1', sha256) !== undefined;
  }

  async checkCommitPreconditions(draft: VersionDraft): Promise<void> {
    this.sql.read(() => checkCommitPreconditions(this.sql, draft));
  }

  async commitVersion(input: CommitVersionInput): Promise<CommitVersionResult> {
    return this.sql.write(() => commitVersion(this.sql, input));
  }

  async setAlias(input: SetAliasInput): Promise<registry.Alias> {
    return this.sql.write(() => setAlias(this.sql, input));
  }

  async deleteAlias(input: DeleteAliasInput): Promise<void> {
    this.sql.write(() => deleteAlias(this.sql, input));
  }

  async setModelTags(modelName: string, change: TagChange): Promise<string[]> {
    return this.sql.write(() => setModelTags(this.sql, modelName, change));
  }

  async setVersionTags(locator: VersionLocator, change: TagChange): Promise<string[]> {
    return this.sql.write(() => setVersionTags(this.sql, locator, change, new Date()));
  }

  async deleteVersion(
    modelName: string,
    version: number,
    at: Date,
    actor?: string,
  ): Promise<registry.ModelVersion> {
    return this.sql.write(() => deleteVersion(this.sql, modelName, version, at, actor));
  }

  async pendingOutbox(limit: number, afterSeq = 0): Promise<OutboxRecord[]> {
    return outbox.pendingOutbox(this.sql, limit, afterSeq);
  }

  async markOutboxPublished(seq: number, at: Date): Promise<void> {
    outbox.markOutboxPublished(this.sql, seq, at);
  }

  async recordOutboxFailure(seq: number, error: string): Promise<void> {
    outbox.recordOutboxFailure(this.sql, seq, error);
  }

  async pruneOutbox(before: Date): Promise<number> {
    return outbox.pruneOutbox(this.sql, before);
  }

  async countPendingOutbox(): Promise<number> {
    return outbox.countPendingOutbox(this.sql);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
