import * as path from 'node:path';

import Database from 'better-sqlite3';

import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';

import { newVersionId } from '../../domain/ids';
import type { VersionLocator } from '../../domain/locator';
import { toVersionDraft } from '../../domain/version-draft';
import { ReadCache } from './read-cache';
import { SqliteMetadataStore } from './sqlite-metadata-store';

describe('ReadCache', () => {
  let dir: TempDir;
  let db: Database.Database;

  beforeEach(async () => {
    dir = await makeTempDir('read-cache');
    db = new Database(path.join(dir.path, 'cache.db'));
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  });
  afterEach(async () => {
    db.close();
    await dir.remove();
  });

  it('answers from memory until a row changes through the connection, however it was changed', () => {
    const cache = new ReadCache<{ v: number }>(db);
    let loads = 0;
    const read = () =>
      cache.get('a', () => {
        loads++;
        return { v: db.prepare("SELECT COUNT(*) AS n FROM t WHERE k = 'a'").pluck().get() as number };
      });
    expect(read().v).toBe(0);
    expect(read().v).toBe(0);
    expect(loads).toBe(1);
    db.prepare("INSERT INTO t VALUES ('a', 1)").run();
    expect(read().v).toBe(1);
    expect(loads).toBe(2);
    // A statement that matches no row changes nothing and keeps the cache.
    db.prepare("UPDATE t SET v = 2 WHERE k = 'missing'").run();
    expect(read().v).toBe(1);
    expect(loads).toBe(2);
  });

  it('does not cache a failed load, freezes what it caches and keeps at most maxEntries', () => {
    const cache = new ReadCache<{ nested: { n: number } }>(db, 2);
    expect(() =>
      cache.get('x', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const value = cache.get('x', () => ({ nested: { n: 1 } }));
    expect(Object.isFrozen(value) && Object.isFrozen(value.nested)).toBe(true);
    cache.get('y', () => ({ nested: { n: 2 } }));
    cache.get('z', () => ({ nested: { n: 3 } }));
    expect(cache.size).toBe(2);
    expect(cache.get('x', () => ({ nested: { n: 4 } })).nested.n).toBe(4);
  });
});

describe('SqliteMetadataStore.resolveVersion with its read cache', () => {
  let dir: TempDir;
  let store: SqliteMetadataStore;
  let digest = 0;

  const commit = (modelName: string, aliases: string[] = []) =>
    store.commitVersion({
      id: newVersionId(),
      draft: toVersionDraft(
        registry.VersionMetadata.fromPartial({
          modelName,
          kind: registry.ModelKind.MODEL_KIND_BASE_MODEL,
          aliases,
        }),
        1e9,
      ),
      blob: { sha256: (++digest).toString(16).padStart(64, '0'), size: 10 },
      createdAt: new Date(),
    });
  const resolve = (locator: VersionLocator) => store.resolveVersion(locator);
  const latest: VersionLocator = { modelName: 'bert', by: 'latest' };
  const production: VersionLocator = { modelName: 'bert', by: 'alias', alias: 'production' };

  beforeEach(async () => {
    dir = await makeTempDir('read-cache-store');
    store = SqliteMetadataStore.open({ file: path.join(dir.path, 'registry.db') });
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  it('sees every write at once: commits, alias moves, tags and deletes', async () => {
    await commit('bert', ['production']);
    expect((await resolve(latest)).version).toBe(1);
    expect((await resolve(production)).version).toBe(1);

    await commit('bert');
    expect((await resolve(latest)).version).toBe(2);

    await store.setAlias({
      modelName: 'bert',
      alias: 'production',
      version: 2,
      protected: undefined,
      overrideProtection: false,
      actor: 'test',
      reason: 'promote',
      at: new Date(),
    });
    const promoted = await resolve(production);
    expect(promoted.version).toBe(2);
    expect(promoted.aliases).toEqual(['production']);
    expect((await resolve({ modelName: 'bert', by: 'number', version: 1 })).aliases).toEqual([]);

    await store.setVersionTags(
      { modelName: 'bert', by: 'number', version: 2 },
      { add: ['golden'], remove: [] },
    );
    expect((await resolve(latest)).tags).toEqual(['golden']);

    await store.deleteAlias({
      modelName: 'bert',
      alias: 'production',
      overrideProtection: false,
      actor: 'test',
      reason: 'retire',
      at: new Date(),
    });
    await expect(resolve(production)).rejects.toThrow(HeadstartError);

    await store.deleteVersion('bert', 2, new Date());
    expect((await resolve(latest)).version).toBe(1);
    const gone = await resolve({ modelName: 'bert', by: 'number', version: 2 }).catch((err: unknown) => err);
    expect(gone).toBeInstanceOf(HeadstartError);
    expect((gone as HeadstartError).code).toBe(Code.NOT_FOUND);
  });

  it('does not remember NOT_FOUND, and hands out one frozen answer while nothing changes', async () => {
    await expect(resolve(latest)).rejects.toThrow(HeadstartError);
    await commit('bert');
    const first = await resolve(latest);
    expect(first.version).toBe(1);
    expect(await resolve(latest)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.metadata) && Object.isFrozen(first.parents)).toBe(
      true,
    );
  });
});
