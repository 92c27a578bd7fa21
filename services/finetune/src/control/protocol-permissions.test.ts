// The NATS users' permissions (libs/events permissions.ts) name the control subjects: they must be these.
import { NATS_USERS, SERVICE_SUBJECTS } from '@headstart/events';
import { CONTROL_SUBJECTS } from './protocol';

describe('control subjects and the NATS permissions', () => {
  it('are the subjects the permissions let workers request and the API answer', () => {
    for (const subject of Object.values(CONTROL_SUBJECTS)) {
      expect(subject.startsWith(`${SERVICE_SUBJECTS.finetuneControl}.`)).toBe(true);
      expect(NATS_USERS['finetune-worker'].permissions.publish).toContain(subject);
      expect(NATS_USERS.finetune.permissions.subscribe).toContain(subject);
    }
    expect(NATS_USERS.finetune.permissions.allowResponses).toBe(true);
  });
});
