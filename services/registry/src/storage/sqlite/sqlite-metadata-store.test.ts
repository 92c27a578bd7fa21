import * as path from 'node:path';

import Database from 'better-sqlite3';

import { Code, HeadstartError } from '@headstart/errors';
import { events, registry } from '@headstart/proto';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';

import { newVersionId } from '../../domain/ids';
import type { VersionDraft } from '../../domain/version-draft';
import { toVersionDraft } from '../../domain/version-draft';
import { MIGRATIONS } from './migrations';
import { SqliteMetadataStore } from './sqlite-metadata-store';

const { MODEL_KIND_DATASET: DATASET, MODEL_KIND_BASE_MODEL: BASE } = registry.ModelKind;

function draft(modelName: string, overrides: Partial<registry.VersionMetadata> = {}): VersionDraft {
  return toVersionDraft(
    registry.VersionMetadata.fromPartial({ modelName, kind: DATASET, ...overrides }),
    1e9,
  );
}

function parentRef(name: string, version: number, relation: string): registry.ParentSpec {
  return { ref: { name, selector: { $case: 'version', version } }, relation };
}

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HeadstartError) return err.code;
    throw err;
  }
  return undefined;
}

describe('SqliteMetadataStore', () => {
  let dir: TempDir;
  let store: SqliteMetadataStore;
  let digestCounter = 0;

  const commit = (d: VersionDraft, sha256?: string) =>
    store.commitVersion({
      id: newVersionId(),
      draft: d,
      blob: { sha256: sha256 ?? (++digestCounter).toString(16).padStart(64, '0'), size: 10 },
      createdAt: new Date(),
    });

  beforeEach(async () => {
    dir = await makeTempDir('sqlite-store');
    store = SqliteMetadataStore.open({ file: path.join(dir.path, 'registry.db') });
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  it('opens in WAL mode with synchronous=FULL, foreign keys and the latest schema version', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database written by a newer registry', async () => {
    const file = path.join(dir.path, 'future.db');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => SqliteMetadataStore.open({ file })).toThrow(/newer than this registry/);
  });

  it('upgrades a database written with an older schema and keeps its rows', async () => {
    const file = path.join(dir.path, 'old.db');
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare(
      "INSERT INTO outbox (event_type, msg_id, payload, created_at) VALUES ('versionCreated', 'old', x'', 0)",
    ).run();
    db.close();
    const upgraded = SqliteMetadataStore.open({ file });
    try {
      expect(upgraded.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect((await upgraded.pendingOutbox(10)).map((r) => [r.msgId, r.trace])).toEqual([['old', {}]]);
    } finally {
      await upgraded.close();
    }
  });

  it('numbers versions 1, 2, 3... and never reuses a number after a delete', async () => {
    for (let i = 0; i < 3; i++) await commit(draft('corpus'));
    await store.deleteVersion('corpus', 3, new Date());
    const next = await commit(draft('corpus'));
    expect(next.version.version).toBe(4);
    const model = await store.getModel('corpus');
    expect(model).toMatchObject({ latestVersion: 4, versionCount: 3, kind: DATASET });
    expect(await codeOf(store.resolveVersion({ modelName: 'corpus', by: 'number', version: 3 }))).toBe(
      Code.NOT_FOUND,
    );
    await expect(store.resolveVersion({ modelName: 'corpus', by: 'number', version: 3 })).rejects.toThrow(
      'it was deleted',
    );
    await expect(store.resolveVersion({ modelName: 'corpus', by: 'number', version: 9 })).rejects.toThrow(
      'the highest version of model "corpus" is 4',
    );
    expect((await store.resolveVersion({ modelName: 'corpus', by: 'latest' })).version).toBe(4);
  });

  it('keeps a model to its kind and names the missing parent', async () => {
    await commit(draft('corpus'));
    expect(await codeOf(commit(draft('corpus', { kind: BASE })))).toBe(Code.FAILED_PRECONDITION);
    const orphan = draft('bert', { kind: BASE, parents: [parentRef('corpus', 7, 'trained_on')] });
    await expect(commit(orphan)).rejects.toThrow(/parents\[0\] corpus:7/);
    expect(await codeOf(store.checkCommitPreconditions(orphan))).toBe(Code.NOT_FOUND);
    expect(await store.getModel('bert')).toBeUndefined();
  });

  it('returns the committed version for a retried idempotency key, and refuses a different artifact', async () => {
    const first = await commit(draft('corpus', { idempotencyKey: 'run-1/step-10' }), 'a'.repeat(64));
    const retry = await commit(draft('corpus', { idempotencyKey: 'run-1/step-10' }), 'a'.repeat(64));
    expect(retry).toEqual({ version: first.version, deduplicated: true });
    expect(await codeOf(commit(draft('corpus', { idempotencyKey: 'run-1/step-10' }), 'b'.repeat(64)))).toBe(
      Code.ALREADY_EXISTS,
    );
    expect((await store.getModel('corpus'))?.latestVersion).toBe(1);
  });

  it('writes VersionCreated for every version and CheckpointRegistered for base models, in commit order', async () => {
    const corpus = await commit(draft('corpus'));
    const bert = await commit(
      draft('bert', {
        kind: BASE,
        metadata: { final: 'true' },
        parents: [parentRef('corpus', 1, 'trained_on')],
      }),
    );
    const rows = await store.pendingOutbox(10);
    expect(rows.map((r) => [r.eventType, r.msgId])).toEqual([
      ['versionCreated', corpus.version.id],
      ['versionCreated', bert.version.id],
      ['checkpointRegistered', `${bert.version.id}:checkpoint`],
    ]);
    const checkpoint = events.CheckpointRegistered.decode(rows[2]!.payload);
    expect(checkpoint.final).toBe(true);
    expect(checkpoint.version?.parents).toEqual([
      { versionId: corpus.version.id, modelName: 'corpus', version: 1, relation: 'trained_on' },
    ]);
    await store.markOutboxPublished(rows[0]!.seq, new Date());
    await store.recordOutboxFailure(rows[1]!.seq, 'nats down');
    expect((await store.pendingOutbox(10)).map((r) => [r.seq, r.attempts])).toEqual([
      [rows[1]!.seq, 1],
      [rows[2]!.seq, 0],
    ]);
    expect(await store.countPendingOutbox()).toBe(2);
    expect(await store.pruneOutbox(new Date(Date.now() + 1000))).toBe(1);
  });

  it('moves aliases with an append-only history and guards protected ones', async () => {
    for (let i = 0; i < 3; i++) await commit(draft('corpus'));
    const base = {
      modelName: 'corpus',
      alias: 'production',
      overrideProtection: false,
      actor: 'ana',
      at: new Date(),
    };
    await store.setAlias({ ...base, version: 1, protected: true, reason: 'first release' });
    // Same target and protection: not a change, nothing recorded.
    await store.setAlias({ ...base, version: 1, protected: undefined, reason: 'retry' });
    const refused = store.setAlias({ ...base, version: 2, protected: undefined, reason: 'upgrade' });
    await expect(refused).rejects.toThrow(/protected .*override_protection=true/);
    expect(await codeOf(store.deleteAlias({ ...base, reason: 'cleanup' }))).toBe(Code.FAILED_PRECONDITION);
    expect(await codeOf(store.setAlias({ ...base, version: 1, protected: false, reason: 'x' }))).toBe(
      Code.FAILED_PRECONDITION,
    );
    const moved = await store.setAlias({
      ...base,
      version: 2,
      protected: undefined,
      overrideProtection: true,
      reason: 'upgrade',
    });
    expect(moved).toMatchObject({ name: 'production', version: 2, protected: true });
    expect(await codeOf(store.setAlias({ ...base, version: 9, protected: undefined, reason: 'x' }))).toBe(
      Code.NOT_FOUND,
    );
    await store.deleteAlias({ ...base, overrideProtection: true, reason: 'retired' });
    const history = await store.aliasHistory({ modelName: 'corpus', limit: 10 });
    expect(history.map((e) => [e.action, e.fromVersion, e.toVersion, e.protected, e.reason])).toEqual([
      [registry.AliasAction.ALIAS_ACTION_DELETE, 2, 0, true, 'retired'],
      [registry.AliasAction.ALIAS_ACTION_SET, 1, 2, true, 'upgrade'],
      [registry.AliasAction.ALIAS_ACTION_SET, 0, 1, true, 'first release'],
    ]);
    const older = await store.aliasHistory({
      modelName: 'corpus',
      limit: 10,
      beforeSequence: history[1]!.sequence,
    });
    expect(older.map((e) => e.reason)).toEqual(['first release']);
    expect(() => store.db.prepare('DELETE FROM alias_history').run()).toThrow(/append-only/);
    const aliasEvents = (await store.pendingOutbox(100)).filter((r) => r.eventType === 'aliasChanged');
    expect(aliasEvents.map((r) => r.msgId)).toEqual(history.map((e) => `alias:${e.sequence}`).reverse());
  });

  it('sets aliases at commit but refuses to move a protected one that way', async () => {
    await commit(draft('bert', { kind: BASE, aliases: ['latest-checkpoint'] }));
    const second = await commit(draft('bert', { kind: BASE, aliases: ['latest-checkpoint'] }));
    expect(second.version.aliases).toEqual(['latest-checkpoint']);
    expect(
      (await store.resolveVersion({ modelName: 'bert', by: 'alias', alias: 'latest-checkpoint' })).version,
    ).toBe(2);
    await store.setAlias({
      modelName: 'bert',
      alias: 'latest-checkpoint',
      version: 2,
      protected: true,
      overrideProtection: false,
      actor: '',
      reason: '',
      at: new Date(),
    });
    expect(await codeOf(commit(draft('bert', { kind: BASE, aliases: ['latest-checkpoint'] })))).toBe(
      Code.FAILED_PRECONDITION,
    );
    await expect(store.resolveVersion({ modelName: 'bert', by: 'alias', alias: 'prod' })).rejects.toThrow(
      'model "bert" has no alias "prod" (its aliases: latest-checkpoint)',
    );
  });

  it('sets tags as sets and emits VersionTagsChanged only for real changes', async () => {
    await commit(draft('corpus', { tags: ['en'] }));
    const locator = { modelName: 'corpus', by: 'number', version: 1 } as const;
    expect(await store.setVersionTags(locator, { add: ['clean', 'en'], remove: ['missing'] })).toEqual([
      'clean',
      'en',
    ]);
    expect(await store.setVersionTags(locator, { add: ['en'], remove: [] })).toEqual(['clean', 'en']);
    expect(await store.setModelTags('corpus', { add: ['public'], remove: [] })).toEqual(['public']);
    const tagEvents = (await store.pendingOutbox(100)).filter((r) => r.eventType === 'versionTagsChanged');
    expect(tagEvents).toHaveLength(1);
    expect(events.VersionTagsChanged.decode(tagEvents[0]!.payload)).toMatchObject({
      added: ['clean'],
      removed: [],
    });
    expect(await codeOf(store.setModelTags('nope', { add: ['x'], remove: [] }))).toBe(Code.NOT_FOUND);
  });

  it('refuses to delete a version with descendants or a protected alias, and deletes its other aliases', async () => {
    await commit(draft('corpus', { aliases: ['stable'] }));
    await commit(draft('bert', { kind: BASE, parents: [parentRef('corpus', 1, 'trained_on')] }));
    await expect(store.deleteVersion('corpus', 1, new Date())).rejects.toThrow(
      'version corpus:1 has 1 descendant version(s), e.g. bert:1 (trained_on); delete those first',
    );
    await store.deleteVersion('bert', 1, new Date());
    const deleted = await store.deleteVersion('corpus', 1, new Date());
    expect(deleted.aliases).toEqual(['stable']);
    const history = await store.aliasHistory({ modelName: 'corpus', limit: 10 });
    expect(history[0]).toMatchObject({ alias: 'stable', toVersion: 0, reason: 'version 1 deleted' });
    expect(await store.isBlobReferenced(deleted.artifactSha256)).toBe(false);
  });

  it('walks lineage to any depth in both directions, with a depth limit', async () => {
    await commit(draft('dataset'));
    await commit(
      draft('tokenizer', {
        kind: registry.ModelKind.MODEL_KIND_TOKENIZER,
        parents: [parentRef('dataset', 1, 'trained_on')],
      }),
    );
    await commit(
      draft('shards', {
        parents: [parentRef('dataset', 1, 'derived_from'), parentRef('tokenizer', 1, 'tokenized_with')],
      }),
    );
    const base = await commit(draft('base', { kind: BASE, parents: [parentRef('shards', 1, 'trained_on')] }));
    await commit(
      draft('tuned', {
        kind: registry.ModelKind.MODEL_KIND_FINETUNED_MODEL,
        parents: [parentRef('base', 1, 'finetuned_from')],
      }),
    );
    const dataset = await store.resolveVersion({ modelName: 'dataset', by: 'latest' });

    const down = await store.lineage({ versionId: dataset.id, direction: 'descendants' });
    expect(down.nodes.map((n) => n.modelName)).toEqual(['base', 'shards', 'tokenizer', 'tuned']);
    expect(down.edges).toHaveLength(5);

    const up = await store.lineage({ versionId: base.version.id, direction: 'ancestors' });
    expect(up.nodes.map((n) => n.modelName)).toEqual(['dataset', 'shards', 'tokenizer']);
    expect(up.edges.map((e) => e.relation).sort()).toEqual([
      'derived_from',
      'tokenized_with',
      'trained_on',
      'trained_on',
    ]);

    const near = await store.lineage({ versionId: base.version.id, direction: 'both', maxDepth: 1 });
    expect(near.nodes.map((n) => n.modelName)).toEqual(['shards', 'tuned']);
    expect(near.edges).toHaveLength(2);

    const children = await store.searchVersions({ parentId: dataset.id, relation: 'trained_on', limit: 10 });
    expect(children.map((v) => v.modelName)).toEqual(['tokenizer']);
  });

  it('pages through models and versions by key with filters', async () => {
    for (const name of ['a-1', 'a-2', 'b-1']) {
      await commit(
        draft(name, { tags: name === 'a-2' ? [] : ['keep'], runId: name === 'b-1' ? 'run-b' : '' }),
      );
      await commit(draft(name, { tags: ['keep'] }));
    }
    const page1 = await store.searchVersions({ tag: 'keep', limit: 2 });
    expect(page1.map((v) => `${v.modelName}:${v.version}`)).toEqual(['a-1:1', 'a-1:2']);
    const page2 = await store.searchVersions({
      tag: 'keep',
      limit: 10,
      after: { modelName: 'a-1', version: 2 },
    });
    expect(page2.map((v) => `${v.modelName}:${v.version}`)).toEqual(['a-2:2', 'b-1:1', 'b-1:2']);
    expect((await store.searchVersions({ namePrefix: 'a-', limit: 10 })).length).toBe(4);
    expect((await store.searchVersions({ runId: 'run-b', limit: 10 })).map((v) => v.modelName)).toEqual([
      'b-1',
    ]);
    const models = await store.listModels({ namePrefix: 'a', limit: 1, afterName: 'a-1' });
    expect(models.map((m) => m.name)).toEqual(['a-2']);
    expect((await store.listModels({ kind: BASE, limit: 10 })).length).toBe(0);
  });
});
