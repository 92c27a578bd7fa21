import { WORK_TYPES } from '@headstart/events';
import { finetuneWorkType } from './work-type';

it('is the topology work type unless HEADSTART_FINETUNE_ACK_WAIT_MS changes the ack wait', () => {
  expect(finetuneWorkType()).toBe(WORK_TYPES.finetune);
  expect(finetuneWorkType(WORK_TYPES.finetune.consumer.ackWaitMs)).toBe(WORK_TYPES.finetune);
  const short = finetuneWorkType(1_000);
  expect(short.consumer).toEqual({ ...WORK_TYPES.finetune.consumer, ackWaitMs: 1_000 });
  expect(short.subject).toBe(WORK_TYPES.finetune.subject);
});
