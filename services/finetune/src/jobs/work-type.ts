// The finetune work queue: the topology's `finetune` work type, with the ack wait of the deployment
// (HEADSTART_FINETUNE_ACK_WAIT_MS; the API and its workers must agree, or each start rewrites the
// consumer with its own value).
import { WORK_TYPES, defineWorkType, type WorkTypeDef } from '@headstart/events';
import type { finetune } from '@headstart/proto';

/** The topology's finetune work type; `ackWaitMs` (how soon a dead worker's job is redelivered) overrides its 60 s. */
export function finetuneWorkType(ackWaitMs?: number): WorkTypeDef<finetune.FinetuneWork> {
  const base = WORK_TYPES.finetune;
  if (ackWaitMs === undefined || ackWaitMs === base.consumer.ackWaitMs) return base;
  return defineWorkType<finetune.FinetuneWork>({ ...base, consumer: { ...base.consumer, ackWaitMs } });
}
