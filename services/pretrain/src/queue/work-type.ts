// The pretrain work queue: the topology's `pretrain` work type (subject headstart.work.pretrain, durable
// consumer pretrain-workers) with PretrainWork as its item. PretrainWork's field 1 is Run.id's number
// and type, so items written with the topology's interim Run codec decode here unchanged, and the
// topology can switch its codec to PretrainWork without any migration.
import type { WorkTypeDef } from '@headstart/events';
import { WORK_TYPES, defineWorkType } from '@headstart/events';
import { pretrain } from '@headstart/proto';

export interface PretrainQueueOptions {
  /** Work subject (inside headstart.work.>). @default 'headstart.work.pretrain' */
  subject?: string;
  /** Durable consumer name. @default 'pretrain-workers' */
  consumer?: string;
  /** Redelivery delay of an item whose worker stopped heartbeating. @default 60_000 */
  ackWaitMs?: number;
}

/**
 * The queue as the topology defines it, or a separate one (its own subject and consumer, e.g. for an
 * isolated test or a dedicated GPU pool). Two consumers of the work-queue stream must not share a subject.
 */
export function pretrainWorkType(options: PretrainQueueOptions = {}): WorkTypeDef<pretrain.PretrainWork> {
  const base = WORK_TYPES.pretrain;
  return defineWorkType<pretrain.PretrainWork>({
    subject: options.subject ?? base.subject,
    codec: pretrain.PretrainWork,
    consumer: {
      ...base.consumer,
      name: options.consumer ?? base.consumer.name,
      ackWaitMs: options.ackWaitMs ?? base.consumer.ackWaitMs,
    },
  });
}
