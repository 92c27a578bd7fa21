import { alreadyExists, failedPrecondition, notFound } from '@headstart/errors';
import type { registry } from '@headstart/proto';

import { describeLocator } from '../../domain/locator';
import { versionCommitEvents } from '../../domain/outbox-events';
import type { ParentDraft, VersionDraft } from '../../domain/version-draft';
import { kindName } from '../../domain/version-draft';
import type { CommitVersionInput, CommitVersionResult } from '../metadata-store';
import { aliasRow, pointAlias, protectedAliasError, removeAlias } from './alias-writes';
import { insertOutbox } from './outbox-table';
import type { ModelRow, VersionRow } from './rows';
import { modelRowByName, resolveVersionRow, toModelVersion, VERSION_SELECT } from './rows';
import type { Sql } from './sql';

function checkKind(model: ModelRow, draft: VersionDraft): void {
  if (model.kind !== draft.kind) {
    throw failedPrecondition(
      `model ${JSON.stringify(model.name)} is a ${kindName(model.kind)}; ` +
        `a ${kindName(draft.kind)} version cannot be added to it`,
    );
  }
}

function resolveParents(sql: Sql, parents: readonly ParentDraft[]): { row: VersionRow; relation: string }[] {
  return parents.map((parent, i) => {
    try {
      return { row: resolveVersionRow(sql, parent.locator), relation: parent.relation };
    } catch (err) {
      throw notFound(`parents[${i}] ${describeLocator(parent.locator)}: ${(err as Error).message}`);
    }
  });
}

function checkAliasesMovable(sql: Sql, model: ModelRow | undefined, aliases: readonly string[]): void {
  if (!model) return;
  for (const alias of aliases) {
    const row = aliasRow(sql, model.id, alias);
    if (row?.protected === 1) {
      throw failedPrecondition(
        `${protectedAliasError(model.name, alias, row.version, 'move').message} ` +
          '(SetAlias after the commit; aliases set at commit cannot override protection)',
      );
    }
  }
}

export function checkCommitPreconditions(sql: Sql, draft: VersionDraft): void {
  const model = modelRowByName(sql, draft.modelName);
  if (model) checkKind(model, draft);
  resolveParents(sql, draft.parents);
  checkAliasesMovable(sql, model, draft.aliases);
}

function findByIdempotencyKey(sql: Sql, modelId: number, key: string): VersionRow | undefined {
  return sql.get<VersionRow>(
    `${VERSION_SELECT} WHERE v.model_id = ? AND v.idempotency_key = ?`,
    modelId,
    key,
  );
}

function ensureModel(sql: Sql, draft: VersionDraft, at: Date): ModelRow {
  const existing = modelRowByName(sql, draft.modelName);
  if (existing) return existing;
  sql.run(
    'INSERT INTO models (name, kind, description, created_at) VALUES (?, ?, ?, ?)',
    draft.modelName,
    draft.kind,
    draft.modelDescription,
    at.getTime(),
  );
  const created = modelRowByName(sql, draft.modelName);
  if (!created) throw new Error(`model ${draft.modelName} vanished inside its own transaction`);
  return created;
}

/** The commit transaction's body (see MetadataStore.commitVersion). Must run inside `sql.write`. */
export function commitVersion(sql: Sql, input: CommitVersionInput): CommitVersionResult {
  const { draft, blob, createdAt } = input;
  const model = ensureModel(sql, draft, createdAt);
  checkKind(model, draft);
  if (draft.idempotencyKey !== undefined) {
    const earlier = findByIdempotencyKey(sql, model.id, draft.idempotencyKey);
    if (earlier && earlier.sha256 === blob.sha256) {
      return { version: toModelVersion(sql, earlier), deduplicated: true };
    }
    if (earlier) {
      throw alreadyExists(
        `idempotency_key ${JSON.stringify(draft.idempotencyKey)} already committed version ` +
          `${model.name}:${earlier.version} with a different artifact (sha256 ${earlier.sha256}, this upload ${blob.sha256})`,
      );
    }
  }
  const parents = resolveParents(sql, draft.parents);
  checkAliasesMovable(sql, model, draft.aliases);

  // The number is taken from the model row inside the write transaction, so concurrent commits
  // are serialised on it: no gaps, no duplicates, and never a number that was used before.
  const number = model.next_version;
  sql.run('UPDATE models SET next_version = next_version + 1 WHERE id = ?', model.id);
  sql.run(
    `INSERT INTO versions (id, model_id, version, sha256, size, description, metadata, metrics, run_id,
                           idempotency_key, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    input.id,
    model.id,
    number,
    blob.sha256,
    blob.size,
    draft.description,
    JSON.stringify(draft.metadata),
    JSON.stringify(draft.metrics),
    draft.runId,
    draft.idempotencyKey ?? null,
    createdAt.getTime(),
  );
  parents.forEach((parent, position) => {
    sql.run(
      'INSERT INTO version_parents (child_id, parent_id, relation, position) VALUES (?, ?, ?, ?)',
      input.id,
      parent.row.id,
      parent.relation,
      position,
    );
  });
  for (const tag of draft.tags)
    sql.run('INSERT INTO version_tags (version_id, tag) VALUES (?, ?)', input.id, tag);

  // Version events first, so a consumer of AliasChanged can already look the version up.
  const created = toModelVersion(sql, rowOf(sql, input.id));
  insertOutbox(sql, versionCommitEvents({ ...created, aliases: draft.aliases }), createdAt);
  for (const alias of draft.aliases) {
    const previous = aliasRow(sql, model.id, alias);
    pointAlias(
      sql,
      model,
      alias,
      { id: input.id, version: number },
      {
        protected: false,
        actor: draft.runId,
        reason: `set at commit of version ${number}`,
        at: createdAt,
        previous,
      },
    );
  }
  return { version: toModelVersion(sql, rowOf(sql, input.id)), deduplicated: false };
}

function rowOf(sql: Sql, id: string): VersionRow {
  const row = sql.get<VersionRow>(`${VERSION_SELECT} WHERE v.id = ?`, id);
  if (!row) throw new Error(`version ${id} vanished inside its own transaction`);
  return row;
}

export function findVersionByIdempotencyKey(
  sql: Sql,
  modelName: string,
  key: string,
): VersionRow | undefined {
  const model = modelRowByName(sql, modelName);
  return model ? findByIdempotencyKey(sql, model.id, key) : undefined;
}

/** The delete transaction's body (see MetadataStore.deleteVersion). Must run inside `sql.write`. */
export function deleteVersion(
  sql: Sql,
  modelName: string,
  version: number,
  at: Date,
  actor = '',
): registry.ModelVersion {
  const row = resolveVersionRow(sql, { modelName, by: 'number', version });
  const label = `${row.model_name}:${row.version}`;
  const children = sql.all<{ model_name: string; version: number; relation: string }>(
    `SELECT m.name AS model_name, c.version, p.relation
     FROM version_parents p JOIN versions c ON c.id = p.child_id JOIN models m ON m.id = c.model_id
     WHERE p.parent_id = ? ORDER BY m.name, c.version`,
    row.id,
  );
  const first = children[0];
  if (first) {
    throw failedPrecondition(
      `version ${label} has ${children.length} descendant version(s), e.g. ${first.model_name}:${first.version} ` +
        `(${first.relation}); delete those first`,
    );
  }
  const model = modelRowByName(sql, modelName);
  if (!model) throw notFound(`model ${JSON.stringify(modelName)} not found`);
  const aliases = sql.all<{ name: string }>(
    'SELECT name FROM aliases WHERE version_id = ? ORDER BY name',
    row.id,
  );
  const aliasRows = aliases.map((a) => aliasRow(sql, model.id, a.name)).filter((a) => a !== undefined);
  const guarded = aliasRows.find((a) => a.protected === 1);
  if (guarded) {
    throw failedPrecondition(
      `version ${label} is the target of protected alias ${JSON.stringify(guarded.name)}; move or delete the ` +
        'alias with override_protection=true first',
    );
  }
  const deleted = toModelVersion(sql, row);
  for (const alias of aliasRows) {
    removeAlias(sql, model, alias, { actor, reason: `version ${row.version} deleted`, at });
  }
  sql.run('DELETE FROM versions WHERE id = ?', row.id);
  return deleted;
}
