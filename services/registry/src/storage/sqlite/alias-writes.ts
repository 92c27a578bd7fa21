import { failedPrecondition, notFound } from '@headstart/errors';
import { registry } from '@headstart/proto';

import { aliasChangedEvent } from '../../domain/outbox-events';
import type { DeleteAliasInput, SetAliasInput } from '../metadata-store';
import { insertOutbox } from './outbox-table';
import type { AliasHistoryRow, ModelRow } from './rows';
import { requireModelRow, resolveVersionRow, toAliasEvent } from './rows';
import type { Sql } from './sql';

interface AliasRow {
  name: string;
  version_id: string;
  version: number;
  protected: number;
  updated_at: number;
}

export function aliasRow(sql: Sql, modelId: number, alias: string): AliasRow | undefined {
  return sql.get<AliasRow>(
    `SELECT a.name, a.version_id, v.version, a.protected, a.updated_at
     FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ? AND a.name = ?`,
    modelId,
    alias,
  );
}

export function protectedAliasError(model: string, alias: string, version: number, action: string): Error {
  return failedPrecondition(
    `alias ${JSON.stringify(alias)} of model ${JSON.stringify(model)} is protected (it points at version ` +
      `${version}); ${action} it with override_protection=true`,
  );
}

interface HistoryEntry {
  model: ModelRow;
  alias: string;
  action: registry.AliasAction;
  fromVersion: number;
  toVersion: number;
  protected: boolean;
  actor: string;
  reason: string;
  at: Date;
  /** Id of the version the alias now points at; empty after a delete. */
  versionId: string;
}

/** Appends one alias move to the history and its AliasChanged event to the outbox. */
export function recordAliasChange(sql: Sql, entry: HistoryEntry): registry.AliasEvent {
  const { lastInsertRowid } = sql.run(
    `INSERT INTO alias_history (model_id, alias, action, from_version, to_version, protected, actor, reason, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    entry.model.id,
    entry.alias,
    entry.action,
    entry.fromVersion,
    entry.toVersion,
    entry.protected ? 1 : 0,
    entry.actor,
    entry.reason,
    entry.at.getTime(),
  );
  const event = toAliasEvent({
    sequence: Number(lastInsertRowid),
    model_name: entry.model.name,
    alias: entry.alias,
    action: entry.action,
    from_version: entry.fromVersion,
    to_version: entry.toVersion,
    protected: entry.protected ? 1 : 0,
    actor: entry.actor,
    reason: entry.reason,
    at: entry.at.getTime(),
  } satisfies AliasHistoryRow);
  insertOutbox(sql, [aliasChangedEvent(event, entry.versionId)], entry.at);
  return event;
}

/** Points an alias at a version id (insert or move) and records the change. No protection checks. */
export function pointAlias(
  sql: Sql,
  model: ModelRow,
  alias: string,
  target: { id: string; version: number },
  options: { protected: boolean; actor: string; reason: string; at: Date; previous: AliasRow | undefined },
): void {
  sql.run(
    `INSERT INTO aliases (model_id, name, version_id, protected, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (model_id, name) DO UPDATE SET version_id = excluded.version_id,
       protected = excluded.protected, updated_at = excluded.updated_at`,
    model.id,
    alias,
    target.id,
    options.protected ? 1 : 0,
    options.at.getTime(),
  );
  recordAliasChange(sql, {
    model,
    alias,
    action: registry.AliasAction.ALIAS_ACTION_SET,
    fromVersion: options.previous?.version ?? 0,
    toVersion: target.version,
    protected: options.protected,
    actor: options.actor,
    reason: options.reason,
    at: options.at,
    versionId: target.id,
  });
}

export function setAlias(sql: Sql, input: SetAliasInput): registry.Alias {
  const model = requireModelRow(sql, input.modelName);
  const target = resolveVersionRow(sql, { modelName: input.modelName, by: 'number', version: input.version });
  const previous = aliasRow(sql, model.id, input.alias);
  const wasProtected = previous?.protected === 1;
  const nowProtected = input.protected ?? wasProtected;
  const moves = previous?.version_id !== target.id;
  if (previous && wasProtected && !input.overrideProtection && (moves || !nowProtected)) {
    throw protectedAliasError(model.name, input.alias, previous.version, moves ? 'move' : 'unprotect');
  }
  // Re-setting an alias to where it already is, with the same protection, is not a change: no
  // history row, no event, so retries of SetAlias are harmless.
  if (previous && !moves && wasProtected === nowProtected) {
    return toAlias(model.name, previous);
  }
  pointAlias(sql, model, input.alias, target, { ...input, protected: nowProtected, previous });
  const current = aliasRow(sql, model.id, input.alias);
  if (!current) throw new Error(`alias ${input.alias} vanished inside its own transaction`);
  return toAlias(model.name, current);
}

export function deleteAlias(sql: Sql, input: DeleteAliasInput): void {
  const model = requireModelRow(sql, input.modelName);
  const previous = aliasRow(sql, model.id, input.alias);
  if (!previous) {
    throw notFound(`model ${JSON.stringify(model.name)} has no alias ${JSON.stringify(input.alias)}`);
  }
  if (previous.protected === 1 && !input.overrideProtection) {
    throw protectedAliasError(model.name, input.alias, previous.version, 'delete');
  }
  removeAlias(sql, model, previous, input);
}

/** Deletes an alias row and records the deletion. No protection checks. */
export function removeAlias(
  sql: Sql,
  model: ModelRow,
  previous: AliasRow,
  options: { actor: string; reason: string; at: Date },
): void {
  sql.run('DELETE FROM aliases WHERE model_id = ? AND name = ?', model.id, previous.name);
  recordAliasChange(sql, {
    model,
    alias: previous.name,
    action: registry.AliasAction.ALIAS_ACTION_DELETE,
    fromVersion: previous.version,
    toVersion: 0,
    protected: previous.protected === 1,
    actor: options.actor,
    reason: options.reason,
    at: options.at,
    versionId: '',
  });
}

export function toAlias(modelName: string, row: AliasRow): registry.Alias {
  return {
    name: row.name,
    modelName,
    version: row.version,
    protected: row.protected === 1,
    updatedAt: new Date(row.updated_at),
  };
}
