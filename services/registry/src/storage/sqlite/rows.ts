import { notFound } from '@headstart/errors';
import type { registry } from '@headstart/proto';

import type { VersionLocator } from '../../domain/locator';
import { describeLocator } from '../../domain/locator';
import type { Sql } from './sql';

export interface ModelRow {
  id: number;
  name: string;
  kind: number;
  description: string;
  created_at: number;
  next_version: number;
}

export interface VersionRow {
  id: string;
  model_id: number;
  model_name: string;
  kind: number;
  version: number;
  sha256: string;
  size: number;
  description: string;
  metadata: string;
  metrics: string;
  run_id: string;
  idempotency_key: string | null;
  created_at: number;
}

export interface AliasHistoryRow {
  sequence: number;
  model_name: string;
  alias: string;
  action: number;
  from_version: number;
  to_version: number;
  protected: number;
  actor: string;
  reason: string;
  at: number;
}

/** Columns of a version row joined with its model; append WHERE/ORDER clauses. */
export const VERSION_SELECT = `
  SELECT v.id, v.model_id, m.name AS model_name, m.kind, v.version, v.sha256, v.size, v.description,
         v.metadata, v.metrics, v.run_id, v.idempotency_key, v.created_at
  FROM versions v JOIN models m ON m.id = v.model_id`;

export function modelRowByName(sql: Sql, name: string): ModelRow | undefined {
  return sql.get<ModelRow>('SELECT * FROM models WHERE name = ?', name);
}

export function requireModelRow(sql: Sql, name: string): ModelRow {
  const row = modelRowByName(sql, name);
  if (!row) throw notFound(`model ${JSON.stringify(name)} not found`);
  return row;
}

export function versionRowById(sql: Sql, id: string): VersionRow | undefined {
  return sql.get<VersionRow>(`${VERSION_SELECT} WHERE v.id = ?`, id);
}

/** Finds the version a locator points at, or throws NOT_FOUND saying exactly what is missing. */
export function resolveVersionRow(sql: Sql, locator: VersionLocator): VersionRow {
  const model = requireModelRow(sql, locator.modelName);
  const name = JSON.stringify(model.name);
  switch (locator.by) {
    case 'number': {
      const row = sql.get<VersionRow>(
        `${VERSION_SELECT} WHERE v.model_id = ? AND v.version = ?`,
        model.id,
        locator.version,
      );
      if (row) return row;
      const assigned = model.next_version - 1;
      if (locator.version <= assigned)
        throw notFound(`version ${describeLocator(locator)} not found: it was deleted`);
      throw notFound(
        `version ${describeLocator(locator)} not found: ` +
          (assigned === 0
            ? `model ${name} has no versions yet`
            : `the highest version of model ${name} is ${assigned}`),
      );
    }
    case 'alias': {
      const row = sql.get<VersionRow>(
        `${VERSION_SELECT} JOIN aliases a ON a.version_id = v.id WHERE a.model_id = ? AND a.name = ?`,
        model.id,
        locator.alias,
      );
      if (row) return row;
      const names = sql.all<{ name: string }>(
        'SELECT name FROM aliases WHERE model_id = ? ORDER BY name',
        model.id,
      );
      throw notFound(
        `model ${name} has no alias ${JSON.stringify(locator.alias)} ` +
          (names.length ? `(its aliases: ${names.map((a) => a.name).join(', ')})` : '(it has no aliases)'),
      );
    }
    case 'latest': {
      const row = sql.get<VersionRow>(
        `${VERSION_SELECT} WHERE v.model_id = ? ORDER BY v.version DESC LIMIT 1`,
        model.id,
      );
      if (row) return row;
      throw notFound(`model ${name} has no versions`);
    }
  }
}

export function toModelVersion(sql: Sql, row: VersionRow): registry.ModelVersion {
  const parents = sql.all<{ parent_id: string; relation: string; model_name: string; version: number }>(
    `SELECT p.parent_id, p.relation, pm.name AS model_name, pv.version
     FROM version_parents p JOIN versions pv ON pv.id = p.parent_id JOIN models pm ON pm.id = pv.model_id
     WHERE p.child_id = ? ORDER BY p.position`,
    row.id,
  );
  return {
    id: row.id,
    modelName: row.model_name,
    kind: row.kind,
    version: row.version,
    artifactSha256: row.sha256,
    artifactSize: row.size,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    parents: parents.map((p) => ({
      versionId: p.parent_id,
      modelName: p.model_name,
      version: p.version,
      relation: p.relation,
    })),
    tags: sql
      .all<{ tag: string }>('SELECT tag FROM version_tags WHERE version_id = ? ORDER BY tag', row.id)
      .map((t) => t.tag),
    aliases: sql
      .all<{ name: string }>('SELECT name FROM aliases WHERE version_id = ? ORDER BY name', row.id)
      .map((a) => a.name),
    createdAt: new Date(row.created_at),
    runId: row.run_id,
    description: row.description,
  };
}

export function toModel(sql: Sql, row: ModelRow): registry.Model {
  const aliases = sql.all<{ name: string; version: number; protected: number; updated_at: number }>(
    `SELECT a.name, v.version, a.protected, a.updated_at
     FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ? ORDER BY a.name`,
    row.id,
  );
  const count = sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM versions WHERE model_id = ?', row.id);
  return {
    name: row.name,
    kind: row.kind,
    description: row.description,
    tags: sql
      .all<{ tag: string }>('SELECT tag FROM model_tags WHERE model_id = ? ORDER BY tag', row.id)
      .map((t) => t.tag),
    createdAt: new Date(row.created_at),
    latestVersion: row.next_version - 1,
    versionCount: count?.n ?? 0,
    aliases: aliases.map((a) => ({
      name: a.name,
      modelName: row.name,
      version: a.version,
      protected: a.protected === 1,
      updatedAt: new Date(a.updated_at),
    })),
  };
}

export function toAliasEvent(row: AliasHistoryRow): registry.AliasEvent {
  return {
    sequence: row.sequence,
    modelName: row.model_name,
    alias: row.alias,
    action: row.action,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    protected: row.protected === 1,
    actor: row.actor,
    reason: row.reason,
    at: new Date(row.at),
  };
}
