import type { registry } from '@headstart/proto';

import type { AliasHistoryQuery, ListModelsQuery, VersionQuery } from '../metadata-store';
import type { AliasHistoryRow, ModelRow, VersionRow } from './rows';
import { requireModelRow, toAliasEvent, toModel, toModelVersion, VERSION_SELECT } from './rows';
import type { Sql } from './sql';

/**
 * Names are ASCII from a small alphabet (see names.ts), so every name starting with `prefix` sorts
 * in [prefix, prefix + DEL): a range scan on the unique index instead of a LIKE.
 */
function prefixRange(prefix: string): [string, string] {
  return [prefix, `${prefix}\x7f`];
}

/** A WHERE clause assembled from optional filters, with its parameters in order. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...params: unknown[]): void {
    this.clauses.push(clause);
    this.params.push(...params);
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export function listModels(sql: Sql, query: ListModelsQuery): registry.Model[] {
  const where = new Where();
  if (query.kind !== undefined) where.add('m.kind = ?', query.kind);
  if (query.namePrefix) where.add('m.name >= ? AND m.name < ?', ...prefixRange(query.namePrefix));
  if (query.tag)
    where.add('EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.tag = ?)', query.tag);
  if (query.afterName !== undefined) where.add('m.name > ?', query.afterName);
  const rows = sql.all<ModelRow>(
    `SELECT m.* FROM models m ${where.toString()} ORDER BY m.name LIMIT ?`,
    ...where.params,
    query.limit,
  );
  return rows.map((row) => toModel(sql, row));
}

export function searchVersions(sql: Sql, query: VersionQuery): registry.ModelVersion[] {
  const where = new Where();
  if (query.modelName) where.add('m.name = ?', query.modelName);
  if (query.kind !== undefined) where.add('m.kind = ?', query.kind);
  if (query.namePrefix) where.add('m.name >= ? AND m.name < ?', ...prefixRange(query.namePrefix));
  if (query.tag)
    where.add('EXISTS (SELECT 1 FROM version_tags t WHERE t.version_id = v.id AND t.tag = ?)', query.tag);
  if (query.alias)
    where.add('EXISTS (SELECT 1 FROM aliases a WHERE a.version_id = v.id AND a.name = ?)', query.alias);
  if (query.parentId !== undefined && query.relation) {
    where.add(
      'EXISTS (SELECT 1 FROM version_parents p WHERE p.child_id = v.id AND p.parent_id = ? AND p.relation = ?)',
      query.parentId,
      query.relation,
    );
  } else if (query.parentId !== undefined) {
    where.add(
      'EXISTS (SELECT 1 FROM version_parents p WHERE p.child_id = v.id AND p.parent_id = ?)',
      query.parentId,
    );
  } else if (query.relation) {
    where.add(
      'EXISTS (SELECT 1 FROM version_parents p WHERE p.child_id = v.id AND p.relation = ?)',
      query.relation,
    );
  }
  if (query.runId) where.add('v.run_id = ?', query.runId);
  if (query.after) {
    where.add(
      '(m.name > ? OR (m.name = ? AND v.version > ?))',
      query.after.modelName,
      query.after.modelName,
      query.after.version,
    );
  }
  const rows = sql.all<VersionRow>(
    `${VERSION_SELECT} ${where.toString()} ORDER BY m.name, v.version LIMIT ?`,
    ...where.params,
    query.limit,
  );
  return rows.map((row) => toModelVersion(sql, row));
}

export function aliasHistory(sql: Sql, query: AliasHistoryQuery): registry.AliasEvent[] {
  const model = requireModelRow(sql, query.modelName);
  const where = new Where();
  where.add('h.model_id = ?', model.id);
  if (query.alias) where.add('h.alias = ?', query.alias);
  if (query.beforeSequence !== undefined) where.add('h.sequence < ?', query.beforeSequence);
  const rows = sql.all<AliasHistoryRow>(
    `SELECT h.*, ? AS model_name FROM alias_history h ${where.toString()} ORDER BY h.sequence DESC LIMIT ?`,
    model.name,
    ...where.params,
    query.limit,
  );
  return rows.map(toAliasEvent);
}
