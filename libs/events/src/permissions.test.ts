import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { NATS_USERS, natsAuthorizationConf, natsInboxPrefix, natsPasswordEnv } from './permissions';
import { EVENT_TYPES, WORK_TYPES } from './topology';

describe('NATS users and permissions', () => {
  it('the prod overlay carries the generated authorization block (pnpm run gen:nats)', () => {
    const file = path.resolve(__dirname, '../../../deploy/k8s/overlays/prod/nats-auth.conf');
    expect(readFileSync(file, 'utf8')).toBe(natsAuthorizationConf());
  });

  it('gives passwords as environment variables of the server', () => {
    expect(natsPasswordEnv('finetune-worker')).toBe('NATS_PASSWORD_FINETUNE_WORKER');
    expect(natsAuthorizationConf()).toContain('password: $NATS_PASSWORD_FINETUNE_WORKER');
  });

  it('lets only the registry publish registry events, and only the owners enqueue work', () => {
    const publishers = (subject: string) =>
      Object.values(NATS_USERS)
        .filter((u) => u.permissions.publish.includes(subject))
        .map((u) => u.user)
        .sort();
    expect(publishers(EVENT_TYPES.checkpointRegistered.subject)).toEqual(['registry']);
    expect(publishers(EVENT_TYPES.finetuneFinished.subject)).toEqual(['finetune', 'finetune-worker']);
    expect(publishers(WORK_TYPES.finetune.subject)).toEqual(['finetune', 'finetune-worker']);
    expect(publishers(WORK_TYPES.pretrain.subject)).toEqual(['pretrain', 'pretrain-worker']);
    expect(publishers(WORK_TYPES.ingest.subject)).toEqual(['ingest']);
  });

  it('never grants wildcards over everything, deletes or purges, and each user reads only its own inbox', () => {
    for (const def of Object.values(NATS_USERS)) {
      const all = [...def.permissions.publish, ...def.permissions.subscribe];
      expect(all).not.toContain('>');
      expect(all.filter((s) => /^(\$JS\.API\.>|_INBOX\.>|headstart\.>)$/.test(s))).toEqual([]);
      expect(all.filter((s) => /STREAM\.(DELETE|PURGE)/.test(s))).toEqual([]);
      expect(def.permissions.subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([
        `${natsInboxPrefix(def.user)}.>`,
      ]);
    }
  });
});
