/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append new
 * migrations at the end, never edit a released one.
 *
 * Timestamps are integer milliseconds since the epoch. Maps are JSON text. Versions are deleted for
 * real (not flagged), and `models.next_version` keeps numbers from being reused after a delete.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    kind         INTEGER NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    -- The number the next version gets; only ever incremented, inside the commit transaction.
    next_version INTEGER NOT NULL DEFAULT 1
  );

  CREATE TABLE model_tags (
    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    tag      TEXT    NOT NULL,
    PRIMARY KEY (model_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX model_tags_by_tag ON model_tags(tag, model_id);

  CREATE TABLE versions (
    id              TEXT    PRIMARY KEY,
    model_id        INTEGER NOT NULL REFERENCES models(id),
    version         INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    metadata        TEXT    NOT NULL DEFAULT '{}',
    metrics         TEXT    NOT NULL DEFAULT '{}',
    run_id          TEXT    NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (model_id, version)
  );
  CREATE UNIQUE INDEX versions_by_idempotency_key ON versions(model_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX versions_by_sha256 ON versions(sha256);
  CREATE INDEX versions_by_run_id ON versions(run_id) WHERE run_id <> '';

  -- No ON DELETE CASCADE on parent_id: the database itself refuses to delete a version that
  -- something descends from, behind the service's own check.
  CREATE TABLE version_parents (
    child_id  TEXT    NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    parent_id TEXT    NOT NULL REFERENCES versions(id),
    relation  TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (child_id, parent_id, relation)
  ) WITHOUT ROWID;
  CREATE INDEX version_parents_by_parent ON version_parents(parent_id, relation);

  CREATE TABLE version_tags (
    version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (version_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX version_tags_by_tag ON version_tags(tag, version_id);

  CREATE TABLE aliases (
    model_id   INTEGER NOT NULL REFERENCES models(id),
    name       TEXT    NOT NULL,
    version_id TEXT    NOT NULL REFERENCES versions(id),
    protected  INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (model_id, name)
  );
  CREATE INDEX aliases_by_version ON aliases(version_id);
  CREATE INDEX aliases_by_name ON aliases(name);

  -- Every move of every alias. Versions are referenced by number, not id, so the history outlives
  -- the versions it mentions.
  CREATE TABLE alias_history (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id     INTEGER NOT NULL REFERENCES models(id),
    alias        TEXT    NOT NULL,
    action       INTEGER NOT NULL,
    from_version INTEGER NOT NULL,
    to_version   INTEGER NOT NULL,
    protected    INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL
  );
  CREATE INDEX alias_history_by_alias ON alias_history(model_id, alias, sequence);
  CREATE TRIGGER alias_history_is_append_only_update BEFORE UPDATE ON alias_history
    BEGIN SELECT RAISE(ABORT, 'alias_history is append-only'); END;
  CREATE TRIGGER alias_history_is_append_only_delete BEFORE DELETE ON alias_history
    BEGIN SELECT RAISE(ABORT, 'alias_history is append-only'); END;

  -- Transactional outbox: rows are written in the transaction that makes the change, and relayed to
  -- JetStream in seq order by the relay, which sets published_at after the publish is acknowledged.
  CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type   TEXT    NOT NULL,
    msg_id       TEXT    NOT NULL UNIQUE,
    payload      BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    published_at INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
  );
  CREATE INDEX outbox_pending ON outbox(seq) WHERE published_at IS NULL;
  `,
  // 2: the trace context of the request that wrote an outbox row (W3C headers as JSON), so the
  // relay's publish, however much later, belongs to that request's trace.
  `
  ALTER TABLE outbox ADD COLUMN trace TEXT NOT NULL DEFAULT '{}';
  `,
];
