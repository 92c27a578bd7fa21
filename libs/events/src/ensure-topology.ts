import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerUpdateConfig,
  type JetStreamManager,
  type StreamConfig,
} from 'nats';
import type { EventsLogger } from './logger';
import type { DeliveryPolicy, StreamDef } from './topology';

export interface ResolvedConsumer extends DeliveryPolicy {
  readonly name: string;
  readonly description: string;
  readonly stream: string;
  /** The subjects the handler wants. */
  readonly subjects: readonly string[];
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * `replicas` is how many JetStream servers keep each stream: 1 on a single server, 3 on a production
 * cluster (a stream with 1 replica on a cluster dies with its server).
 */
export function streamConfig(def: StreamDef, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: def.name,
    description: def.description,
    subjects: [...def.subjects],
    retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(def.maxAgeMs),
    duplicate_window: nanos(def.duplicateWindowMs),
    num_replicas: replicas,
  };
}

/** Adds the stream, or updates it when its config differs from the definition. */
export async function ensureStream(
  jsm: JetStreamManager,
  def: StreamDef,
  logger: EventsLogger,
  replicas = 1,
): Promise<void> {
  const want = streamConfig(def, replicas);
  let have: StreamConfig;
  try {
    have = (await jsm.streams.info(def.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(want);
    logger.info({ stream: def.name }, 'created JetStream stream');
    return;
  }
  if (have.retention !== want.retention || have.storage !== want.storage) {
    throw new Error(
      `stream ${def.name} exists with retention ${have.retention}/storage ${have.storage}, but the topology ` +
        `wants ${want.retention}/${want.storage}; these cannot change in place (migrate the stream)`,
    );
  }
  // Never lower the replica count an operator raised by hand (e.g. `nats stream edit --replicas 3`).
  want.num_replicas = Math.max(have.num_replicas ?? 1, replicas);
  const differs =
    have.num_replicas !== want.num_replicas ||
    !sameSet(have.subjects, want.subjects) ||
    have.description !== want.description ||
    have.discard !== want.discard ||
    have.max_age !== want.max_age ||
    have.duplicate_window !== want.duplicate_window;
  if (differs) {
    await jsm.streams.update(def.name, { ...have, ...want });
    logger.info({ stream: def.name }, 'updated JetStream stream config');
  }
}

function tokens(subject: string): string[] {
  return subject.split('.');
}

/** The narrowest single filter covering all `subjects` (for servers without multi-filter consumers). */
export function coveringSubject(subjects: readonly string[]): string {
  const [first, ...rest] = subjects;
  if (first === undefined) return '>';
  if (rest.every((s) => s === first)) return first;
  const common: string[] = [];
  const split = subjects.map(tokens);
  for (let i = 0; ; i++) {
    const token = split[0]?.[i];
    if (token === undefined || token === '*' || token === '>') break;
    if (!split.every((t) => i < t.length - 1 && t[i] === token)) break;
    common.push(token);
  }
  return [...common, '>'].join('.');
}

export function consumerConfig(c: ResolvedConsumer, multiFilter: boolean): Partial<ConsumerConfig> {
  const config: Partial<ConsumerConfig> = {
    durable_name: c.name,
    description: c.description,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(c.ackWaitMs),
    // Unlimited on the server unless the server enforces the limit (see DeliveryPolicy).
    max_deliver: c.maxDeliverEnforcedBy === 'server' ? c.maxDeliver : -1,
    max_ack_pending: c.maxAckPending ?? 1000,
    deliver_policy: c.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
  };
  if (c.subjects.length > 1 && multiFilter) config.filter_subjects = [...c.subjects];
  else config.filter_subject = coveringSubject(c.subjects);
  return config;
}

/** Adds the durable consumer, or updates it when its config differs from the definition. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  c: ResolvedConsumer,
  multiFilter: boolean,
  logger: EventsLogger,
): Promise<void> {
  const want = consumerConfig(c, multiFilter);
  let have: ConsumerConfig;
  try {
    have = (await jsm.consumers.info(c.stream, c.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.consumers.add(c.stream, want);
    } catch (addErr) {
      if (/stream not found/i.test(String(addErr))) {
        throw new Error(`stream ${c.stream} not found: call bus.ensureTopology() first`, { cause: addErr });
      }
      throw addErr;
    }
    logger.info({ stream: c.stream, consumer: c.name }, 'created JetStream consumer');
    return;
  }
  const differs =
    have.description !== want.description ||
    have.ack_wait !== want.ack_wait ||
    have.max_deliver !== want.max_deliver ||
    have.max_ack_pending !== want.max_ack_pending ||
    (have.filter_subject ?? '') !== (want.filter_subject ?? '') ||
    !sameSet(have.filter_subjects, want.filter_subjects);
  if (differs) {
    // Keys present even when undefined: nats.js merges this into the current config, and a stale
    // filter_subject must not survive a switch to filter_subjects (or back).
    const update: ConsumerUpdateConfig = {
      description: want.description,
      ack_wait: want.ack_wait,
      max_deliver: want.max_deliver,
      max_ack_pending: want.max_ack_pending,
      filter_subject: want.filter_subject,
      filter_subjects: want.filter_subjects,
    };
    await jsm.consumers.update(c.stream, c.name, update);
    logger.info({ stream: c.stream, consumer: c.name }, 'updated JetStream consumer config');
  }
}
