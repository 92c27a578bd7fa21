// The NATS users' permissions (libs/events permissions.ts) name the progress subjects and the runs
// bucket: they must be these.
import { NATS_USERS, SERVICE_SUBJECTS } from '@headstart/events';
import { PROGRESS_SUBJECT_PREFIX, progressSubject } from './progress';
import { DEFAULT_RUNS_BUCKET } from './run-records';

describe('pretrain subjects and the NATS permissions', () => {
  it('are the progress subjects and the bucket the permissions grant', () => {
    expect(PROGRESS_SUBJECT_PREFIX).toBe(SERVICE_SUBJECTS.pretrainProgress);
    expect(DEFAULT_RUNS_BUCKET).toBe(SERVICE_SUBJECTS.pretrainRunsBucket);
    expect(progressSubject('r1')).toBe(`${SERVICE_SUBJECTS.pretrainProgress}.r1`);
    expect(NATS_USERS['pretrain-worker'].permissions.publish).toContain(`${PROGRESS_SUBJECT_PREFIX}.*`);
    expect(NATS_USERS.pretrain.permissions.subscribe).toContain(`${PROGRESS_SUBJECT_PREFIX}.*`);
    for (const user of [NATS_USERS.pretrain, NATS_USERS['pretrain-worker']]) {
      expect(user.permissions.publish).toContain(`$KV.${DEFAULT_RUNS_BUCKET}.>`);
    }
  });
});
