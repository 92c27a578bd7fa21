// The ingest work queue: the topology's `ingest` work type (subject headstart.work.ingest, durable consumer
// ingest-workers), or a separate one for an isolated test.
import type { WorkTypeDef } from '@headstart/events';
import { WORK_TYPES, defineWorkType } from '@headstart/events';
import type { ingest } from '@headstart/proto';

export interface IngestQueueOptions {
  /** Work subject (inside headstart.work.>). @default 'headstart.work.ingest' */
  subject?: string | undefined;
  /** Durable consumer name. @default 'ingest-workers' */
  consumer?: string | undefined;
  /** Redelivery delay of an item whose worker stopped heartbeating (every replica must agree). @default 60_000 */
  ackWaitMs?: number | undefined;
}

export function ingestWorkType(options: IngestQueueOptions = {}): WorkTypeDef<ingest.IngestWork> {
  const base = WORK_TYPES.ingest;
  return defineWorkType<ingest.IngestWork>({
    ...base,
    subject: options.subject ?? base.subject,
    consumer: {
      ...base.consumer,
      name: options.consumer ?? base.consumer.name,
      ackWaitMs: options.ackWaitMs ?? base.consumer.ackWaitMs,
    },
  });
}
