import { invalidArgument } from '@headstart/errors';

import { MAX_TAGS } from '../../domain/limits';
import type { VersionLocator } from '../../domain/locator';
import { versionTagsChangedEvent } from '../../domain/outbox-events';
import type { TagChange } from '../metadata-store';
import { insertOutbox } from './outbox-table';
import { requireModelRow, resolveVersionRow } from './rows';
import type { Sql } from './sql';

interface TagTable {
  table: 'model_tags' | 'version_tags';
  column: 'model_id' | 'version_id';
  owner: number | string;
  label: string;
}

/** Applies a change to one tag set; returns what actually changed and the resulting set. */
function applyTagChange(sql: Sql, target: TagTable, change: TagChange) {
  const current = (): string[] =>
    sql
      .all<{ tag: string }>(
        `SELECT tag FROM ${target.table} WHERE ${target.column} = ? ORDER BY tag`,
        target.owner,
      )
      .map((t) => t.tag);
  const before = new Set(current());
  const added = change.add.filter((tag) => !before.has(tag));
  const removed = change.remove.filter((tag) => before.has(tag));
  const size = before.size + added.length - removed.length;
  if (size > MAX_TAGS) {
    throw invalidArgument(`${target.label} would carry ${size} tags; at most ${MAX_TAGS} are allowed`);
  }
  for (const tag of added)
    sql.run(`INSERT INTO ${target.table} (${target.column}, tag) VALUES (?, ?)`, target.owner, tag);
  for (const tag of removed)
    sql.run(`DELETE FROM ${target.table} WHERE ${target.column} = ? AND tag = ?`, target.owner, tag);
  return { added, removed, tags: current() };
}

export function setModelTags(sql: Sql, modelName: string, change: TagChange): string[] {
  const model = requireModelRow(sql, modelName);
  return applyTagChange(
    sql,
    { table: 'model_tags', column: 'model_id', owner: model.id, label: `model ${modelName}` },
    change,
  ).tags;
}

/** Tags of a version are mutable (they are labels, not content); a change emits VersionTagsChanged. */
export function setVersionTags(sql: Sql, locator: VersionLocator, change: TagChange, at: Date): string[] {
  const row = resolveVersionRow(sql, locator);
  const result = applyTagChange(
    sql,
    {
      table: 'version_tags',
      column: 'version_id',
      owner: row.id,
      label: `version ${row.model_name}:${row.version}`,
    },
    change,
  );
  if (result.added.length || result.removed.length) {
    insertOutbox(
      sql,
      [
        versionTagsChangedEvent(
          { id: row.id, modelName: row.model_name, version: row.version },
          result.added,
          result.removed,
        ),
      ],
      at,
    );
  }
  return result.tags;
}
