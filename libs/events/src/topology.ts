// Every JetStream stream, subject and durable consumer Headstart uses is defined in this file and
// nowhere else. `bus.ensureTopology()` creates or updates them on the server.
import { events, finetune, ingest, pretrain } from '@headstart/proto';
import type { Codec } from './codec';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface StreamDef {
  readonly name: string;
  readonly description: string;
  readonly subjects: readonly string[];
  /** `limits`: messages stay until max age; `workqueue`: a message is removed once acked. */
  readonly retention: 'limits' | 'workqueue';
  readonly maxAgeMs: number;
  /** Publishes with a `Nats-Msg-Id` seen within this window are dropped as duplicates. */
  readonly duplicateWindowMs: number;
}

export const STREAMS = {
  events: {
    name: 'HEADSTART_EVENTS',
    description: 'Domain events (registry, finetune): fan-out to any number of durable consumers.',
    subjects: ['headstart.events.>'],
    retention: 'limits',
    maxAgeMs: 30 * DAY,
    // Long enough that the registry's outbox relay, retrying after a long NATS outage, is still
    // deduplicated by the server. The cost: the server keeps one msg-id entry per message for 24 h
    // (a few dozen bytes each), which is negligible at registry event rates.
    duplicateWindowMs: 24 * HOUR,
  },
  work: {
    name: 'HEADSTART_WORK',
    description: 'Work queues (pretrain, finetune, ingest): each item goes to exactly one worker.',
    subjects: ['headstart.work.>'],
    retention: 'workqueue',
    maxAgeMs: 30 * DAY,
    duplicateWindowMs: 24 * HOUR,
  },
  dlq: {
    name: 'HEADSTART_DLQ',
    description: 'Dead letters: messages a consumer gave up on, with headers that say why.',
    subjects: ['headstart.dlq.>'],
    retention: 'limits',
    maxAgeMs: 90 * DAY,
    duplicateWindowMs: 24 * HOUR,
  },
} as const satisfies Record<string, StreamDef>;

/** Dead letters of consumer `c` are published on `headstart.dlq.<c>`. */
export const DLQ_SUBJECT_PREFIX = 'headstart.dlq';

export interface EventTypeDef<T> {
  readonly subject: string;
  readonly codec: Codec<T>;
}

/** Domain events: one subject and one protobuf message type each, all on the HEADSTART_EVENTS stream. */
export const EVENT_TYPES = {
  versionCreated: {
    subject: 'headstart.events.registry.version_created',
    codec: events.VersionCreated,
  },
  checkpointRegistered: {
    subject: 'headstart.events.registry.checkpoint_registered',
    codec: events.CheckpointRegistered,
  },
  aliasChanged: {
    subject: 'headstart.events.registry.alias_changed',
    codec: events.AliasChanged,
  },
  versionTagsChanged: {
    subject: 'headstart.events.registry.tags_changed',
    codec: events.VersionTagsChanged,
  },
  finetuneFinished: {
    subject: 'headstart.events.finetune.finished',
    codec: events.FinetuneFinished,
  },
} as const satisfies Record<string, EventTypeDef<unknown>>;

export type EventType = keyof typeof EVENT_TYPES;
export type EventMessage<K extends EventType> = ReturnType<(typeof EVENT_TYPES)[K]['codec']['decode']>;

/** Delivery policy of a durable consumer: how often, how long, how patiently. */
export interface DeliveryPolicy {
  /** The server redelivers a message not acked (nor heartbeated with `working()`) within this time. */
  readonly ackWaitMs: number;
  /**
   * Deliveries before the message goes to the dead-letter stream. A delivery whose handler crashed or
   * hung counts; who stops the deliveries is `maxDeliverEnforcedBy`.
   */
  readonly maxDeliver: number;
  /**
   * `consumer` (default): the server's limit is unlimited and the library enforces `maxDeliver`: the
   * next delivery past the limit is dead-lettered without running the handler (if the dead-letter
   * publish fails the message comes back to try again). Nobody but the DLQ hears of it.
   *
   * `server`: the server's max_deliver is `maxDeliver`. After the last delivery it stops delivering
   * and publishes a MAX_DELIVERIES advisory; `bus.onMaxDeliveries` in the service that owns the work
   * dead-letters the message and calls that service back (e.g. to mark its run FAILED), and sweeps the
   * stream for exhausted messages whose advisory it missed. For work whose owner must learn that every
   * delivery died with its worker; without a running `onMaxDeliveries` exhausted messages stay in the
   * work stream (nothing is lost, nothing is reported).
   */
  readonly maxDeliverEnforcedBy?: 'consumer' | 'server';
  /** Delay before retry n+1 after failed attempt n (the last value repeats). */
  readonly backoffMs: readonly number[];
  /** Unacked messages the server hands out at once, across all instances. Default 1000. */
  readonly maxAckPending?: number;
  /** Where a newly created consumer starts: every retained message (default) or only new ones. */
  readonly deliverPolicy?: 'all' | 'new';
}

export interface EventConsumerDef<K extends EventType = EventType> extends DeliveryPolicy {
  /** Durable name; also the DLQ subject suffix. Letters, digits, '-' and '_' only. */
  readonly name: string;
  readonly description: string;
  readonly events: readonly K[];
}

/** Type-checks an event consumer definition and keeps its event list as a literal union. */
export function defineEventConsumer<const K extends EventType>(
  def: EventConsumerDef<K>,
): EventConsumerDef<K> {
  return def;
}

/** Durable consumers of domain events. */
export const EVENT_CONSUMERS = {
  'finetune-triggers': defineEventConsumer({
    name: 'finetune-triggers',
    description: 'finetune service: turns checkpoints, alias moves and tag changes into fine-tune jobs.',
    events: ['checkpointRegistered', 'aliasChanged', 'versionTagsChanged'],
    ackWaitMs: 30 * SECOND,
    maxDeliver: 8,
    backoffMs: [1 * SECOND, 5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE],
  }),
} as const;

export type EventConsumerName = keyof typeof EVENT_CONSUMERS;
export type EventConsumerEvents<N extends EventConsumerName> =
  (typeof EVENT_CONSUMERS)[N] extends EventConsumerDef<infer K> ? K : never;

export interface WorkTypeDef<T> {
  readonly subject: string;
  readonly codec: Codec<T>;
  /** The one durable consumer every worker of this type pulls from (competing consumers). */
  readonly consumer: DeliveryPolicy & { readonly name: string; readonly description: string };
}

/** Type-checks a work type definition (for tests and future work types). */
export function defineWorkType<T>(def: WorkTypeDef<T>): WorkTypeDef<T> {
  return def;
}

// Workers heartbeat with working(), so ack waits stay short: a crashed worker's item is picked up
// by another within a minute. Pretrain runs, fine-tune jobs and ingest jobs have records their API must
// settle when every delivery died with its worker: the server enforces their delivery limit and their
// API runs `bus.onMaxDeliveries` (see `maxDeliverEnforcedBy`).
export const WORK_TYPES = {
  pretrain: defineWorkType({
    subject: 'headstart.work.pretrain',
    codec: pretrain.Run,
    consumer: {
      name: 'pretrain-workers',
      description: 'pretrain workers: one pre-training run per item, for minutes to hours.',
      ackWaitMs: 60 * SECOND,
      maxDeliver: 5,
      maxDeliverEnforcedBy: 'server',
      backoffMs: [10 * SECOND, MINUTE, 5 * MINUTE],
    },
  }),
  finetune: defineWorkType({
    subject: 'headstart.work.finetune',
    codec: finetune.FinetuneWork,
    consumer: {
      name: 'finetune-workers',
      description: 'finetune workers: one fine-tune job per item.',
      ackWaitMs: 60 * SECOND,
      maxDeliver: 5,
      maxDeliverEnforcedBy: 'server',
      backoffMs: [10 * SECOND, MINUTE, 5 * MINUTE],
    },
  }),
  ingest: defineWorkType({
    subject: 'headstart.work.ingest',
    codec: ingest.IngestWork,
    consumer: {
      name: 'ingest-workers',
      description: 'ingest replicas: one tokenizer-training or tokenize job per item, for seconds to hours.',
      ackWaitMs: 60 * SECOND,
      // Three starts, as when jobs ran in the process that accepted them; a shutdown's hand-back is free.
      maxDeliver: 3,
      maxDeliverEnforcedBy: 'server',
      backoffMs: [10 * SECOND, MINUTE],
    },
  }),
} as const;

export type WorkType = keyof typeof WORK_TYPES;
export type WorkItem<W extends WorkType> = ReturnType<(typeof WORK_TYPES)[W]['codec']['decode']>;
