import Database from 'better-sqlite3';
import { finetune } from '@headstart/proto';
import { makeTempDir, type TempDir } from '@headstart/testing';
import { FinetuneStore } from './finetune-store';
import { MIGRATIONS } from './migrations';

describe('FinetuneStore', () => {
  let dir: TempDir;
  let store: FinetuneStore;
  beforeEach(async () => {
    dir = await makeTempDir('finetune-store');
    store = FinetuneStore.open(`${dir.path}/finetune.db`);
  });
  afterEach(async () => {
    store.close();
    await dir.remove();
  });

  it('drops the jobs table of a file an earlier release wrote (the jobs moved to the job store)', () => {
    store.close();
    const db = new Database(`${dir.path}/finetune.db`);
    const tables = () =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      );
    expect(tables()).not.toContain('finetunes');
    db.pragma('user_version = 4');
    db.exec("CREATE TABLE finetunes (id TEXT PRIMARY KEY) STRICT; INSERT INTO finetunes VALUES ('ft1');");
    db.close();
    store = FinetuneStore.open(`${dir.path}/finetune.db`);
    const reopened = new Database(`${dir.path}/finetune.db`, { readonly: true });
    try {
      expect(reopened.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(reopened.prepare("SELECT name FROM sqlite_master WHERE name = 'finetunes'").all()).toEqual([]);
    } finally {
      reopened.close();
    }
  });

  it('stores triggers and counts the adaptation runs they fired', () => {
    store.insertTrigger(
      finetune.Trigger.fromPartial({ id: 't1', baseModelName: 'bert', createdAt: new Date(1) }),
    );
    store.insertTrigger(
      finetune.Trigger.fromPartial({ id: 't2', baseModelName: 'other', createdAt: new Date(2) }),
    );
    store.recordTriggeredRun('t1', 'v1', { runId: 'run-1', error: '' }, new Date(1));
    store.recordTriggeredRun('t1', 'v2', { runId: '', error: 'no pretrain API' }, new Date(2));
    expect(store.listTriggers('bert').map((t) => [t.id, t.firedCount, t.lastError])).toEqual([
      ['t1', 1, 'no pretrain API'],
    ]);
    expect(store.findTriggeredRun('t1', 'v1')).toBe('run-1');
    expect(store.listTriggers().map((t) => t.id)).toEqual(['t1', 't2']);
    expect(store.deleteTrigger('t1')).toBe(true);
    expect(store.deleteTrigger('t1')).toBe(false);
    expect(store.getTrigger('t1')).toBeUndefined();
  });
});
