import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { startPullConsumer } from './consumer';
import type { ConsumeOptions, ConsumerHandle, DeliveryContext, StopOptions } from './consumer-types';
import { readDeadLetters, type DeadLetter, type ReadDeadLettersOptions } from './read-dead-letters';
import { ensureConsumer, ensureStream, type ResolvedConsumer } from './ensure-topology';
import type { Context } from '@opentelemetry/api';
import { trackConnection, type ConnectionState } from './connection-state';
import { encodeEvent, isEventType } from './event-codec';
import { errorText, silentLogger, type EventsLogger } from './logger';
import {
  watchMaxDeliveries,
  type ExhaustedWorkHandler,
  type MaxDeliveriesOptions,
  type MaxDeliveriesWatch,
} from './max-deliveries';
import {
  EVENT_CONSUMERS,
  EVENT_TYPES,
  STREAMS,
  WORK_TYPES,
  type EventConsumerDef,
  type EventConsumerEvents,
  type EventConsumerName,
  type EventMessage,
  type EventType,
  type WorkItem,
  type WorkType,
  type WorkTypeDef,
} from './topology';
import { injectTraceContext, recordFailure, startProducerSpan } from './trace';
import { listWork, type WorkListing } from './work-listing';

export interface ConnectEventsOptions {
  servers: string | string[];
  /** Connection name shown by the server (e.g. the service name). */
  name: string;
  logger?: EventsLogger;
  /** Pause between reconnect attempts (reconnects never give up). Default 1000 ms. */
  reconnectTimeWaitMs?: number;
  /** Keep trying when the server is not up yet at start instead of failing. Default true. */
  waitOnFirstConnect?: boolean;
  /** Default timeout of publishes and JetStream API calls. Default 5000 ms. */
  timeoutMs?: number;
  /** Replicas of each stream `ensureTopology` creates (3 on a production cluster); never lowered. Default 1. */
  streamReplicas?: number;
  /** TLS files: the CA that verifies the server, a client certificate and key when the server wants one. */
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined };
  /** A NATS credentials file (user JWT and NKEY seed), read again at every (re)connection. */
  credsFile?: string;
  /** User and password (nats.js 2.x cannot take them from a `nats://user:pass@host` URL). */
  user?: string;
  pass?: string;
  /**
   * Prefix of this connection's reply subjects (default `_INBOX`). With per-user permissions each user
   * subscribes only to its own `_INBOX.<user>.>` (see `natsInboxPrefix`).
   */
  inboxPrefix?: string;
}

/** nats.js TLS options without the unset files. */
function natsTls(tls: NonNullable<ConnectEventsOptions['tls']>): Record<string, string> {
  return Object.fromEntries(Object.entries(tls).filter(([, file]) => file !== undefined)) as Record<
    string,
    string
  >;
}

export interface PublishOptions {
  /** Dedupe key sent as `Nats-Msg-Id`: a second publish with it inside the window is dropped. */
  msgId: string;
  headers?: Record<string, string>;
  /** Overall time limit, including waiting for a reconnect. Default: the bus's `timeoutMs`. */
  timeoutMs?: number;
  /**
   * Parent of the PRODUCER span; default the active context. An outbox relay passes the context
   * captured when the row was written (`traceContextFromHeaders(captureTraceHeaders())`).
   */
  parent?: Context;
}

export interface PublishResult {
  stream: string;
  seq: number;
  /** True when the server already had a message with this msgId (nothing new was stored). */
  duplicate: boolean;
}

/** A decoded event: narrow on `type` to get the matching protobuf message. */
export type DecodedEvent<K extends EventType> = { [P in K]: { type: P; message: EventMessage<P> } }[K];

export interface EventContext<K extends EventType> extends DeliveryContext {
  readonly eventType: K;
}

export type EventHandler<K extends EventType> = (
  event: DecodedEvent<K>,
  ctx: EventContext<K>,
) => Promise<void>;
export type WorkHandler<T> = (item: T, ctx: DeliveryContext) => Promise<void>;

export interface EventBus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Whether NATS is connected now, and a wait for the reconnect (for requests made outside the bus). */
  readonly connection: ConnectionState;
  /** Creates or updates every stream and durable consumer of the topology (idempotent). */
  ensureTopology(): Promise<void>;
  /**
   * Publishes an event with `Nats-Msg-Id` = msgId inside a PRODUCER span whose context travels in the
   * headers. Resolves once JetStream stored it (or recognised a duplicate); rejects on any failure,
   * including a disconnection that outlasts `timeoutMs`.
   */
  publish<K extends EventType>(
    eventType: K,
    message: EventMessage<K>,
    options: PublishOptions,
  ): Promise<PublishResult>;
  /** Publishes bytes already encoded with `encodeEvent` (e.g. from an outbox row), unchanged. */
  publishEncoded(eventType: EventType, data: Uint8Array, options: PublishOptions): Promise<PublishResult>;
  /** Starts a durable consumer from the topology (by name) or an ad-hoc definition (created if missing). */
  consume<N extends EventConsumerName>(
    consumer: N,
    handler: EventHandler<EventConsumerEvents<N>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>;
  consume<K extends EventType>(
    consumer: EventConsumerDef<K>,
    handler: EventHandler<K>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>;
  enqueueWork<W extends WorkType>(
    workType: W,
    item: WorkItem<W>,
    options: PublishOptions,
  ): Promise<PublishResult>;
  enqueueWork<T>(workType: WorkTypeDef<T>, item: T, options: PublishOptions): Promise<PublishResult>;
  consumeWork<W extends WorkType>(
    workType: W,
    handler: WorkHandler<WorkItem<W>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>;
  consumeWork<T>(
    workType: WorkTypeDef<T>,
    handler: WorkHandler<T>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>;
  /**
   * For a work type whose delivery limit the server enforces (`maxDeliverEnforcedBy: 'server'`), run
   * in the service that owns the work's records: every item whose deliveries all ended without an
   * outcome (its workers died) is dead-lettered once and handed to `handler` (to mark its run or job
   * FAILED), found through the server's advisory or by sweeping the work stream (at start and then
   * periodically, so nothing is missed across restarts). Creates the durable consumer if missing.
   */
  onMaxDeliveries<W extends WorkType>(
    workType: W,
    handler: ExhaustedWorkHandler<WorkItem<W>>,
    options?: MaxDeliveriesOptions<WorkItem<W>>,
  ): Promise<MaxDeliveriesWatch>;
  onMaxDeliveries<T>(
    workType: WorkTypeDef<T>,
    handler: ExhaustedWorkHandler<T>,
    options?: MaxDeliveriesOptions<T>,
  ): Promise<MaxDeliveriesWatch>;
  /** Every item in a work queue, oldest first, with what its consumer did with it so far. */
  listWork<W extends WorkType>(workType: W): Promise<WorkListing<WorkItem<W>>>;
  listWork<T>(workType: WorkTypeDef<T>): Promise<WorkListing<T>>;
  /** Dead letters of one consumer, oldest first. */
  readDeadLetters(consumer: string, options?: ReadDeadLettersOptions): Promise<DeadLetter[]>;
  /** Stops every consumer and watch started through this bus (draining handlers), then drains the connection. */
  close(options?: StopOptions): Promise<void>;
}

/** Longest a close waits for the connection's drain before closing it outright. */
const DRAIN_BOUND_MS = 2_000;

/** nats-server 2.10 added consumers with several filter subjects. */
function supportsMultiFilter(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '').split('.').map((n) => Number.parseInt(n, 10));
  return major > 2 || (major === 2 && minor >= 10);
}

function eventConsumer(def: EventConsumerDef): ResolvedConsumer {
  return { ...def, stream: STREAMS.events.name, subjects: def.events.map((e) => EVENT_TYPES[e].subject) };
}

function workConsumer(def: WorkTypeDef<unknown>): ResolvedConsumer {
  return { ...def.consumer, stream: STREAMS.work.name, subjects: [def.subject] };
}

/** A work type given by name (the topology's) or by definition. */
function workTypeDef(workType: WorkType | WorkTypeDef<unknown>): WorkTypeDef<unknown> {
  return (typeof workType === 'string' ? WORK_TYPES[workType] : workType) as WorkTypeDef<unknown>;
}

/**
 * Publishes to a stream in a PRODUCER span whose context travels in the headers, once connected, within
 * `opts.timeoutMs` (or the bus's), with the JetStream ack's sequence and dedupe verdict.
 */
async function publishTraced(
  bus: { js: JetStreamClient; connection: ConnectionState; timeoutMs: number },
  subject: string,
  streamName: string,
  data: Uint8Array,
  opts: PublishOptions,
): Promise<PublishResult> {
  const span = startProducerSpan(
    subject,
    { 'messaging.message.id': opts.msgId, 'messaging.message.body.size': data.byteLength },
    opts.parent,
  );
  const budgetMs = opts.timeoutMs ?? bus.timeoutMs;
  const deadline = Date.now() + budgetMs;
  try {
    await bus.connection.whenConnected(budgetMs);
    const h = natsHeaders();
    for (const [key, value] of Object.entries(opts.headers ?? {})) h.set(key, value);
    injectTraceContext(span, h);
    const ack = await bus.js.publish(subject, data, {
      msgID: opts.msgId,
      headers: h,
      timeout: Math.max(100, deadline - Date.now()),
      expect: { streamName },
    });
    span.setAttribute('messaging.nats.stream_sequence', ack.seq);
    span.setAttribute('messaging.nats.duplicate', ack.duplicate);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Drain flushes what was published; it also waits for a pull request still open at the server (up to its
 * expiry, 20 s and more), so it gets a bound and the connection is closed after it.
 */
async function drainWithinBound(nc: NatsConnection, logger: EventsLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), DRAIN_BOUND_MS);
  });
  try {
    if ((await Promise.race([nc.drain(), bound])) === 'late') {
      logger.warn({ ms: DRAIN_BOUND_MS }, 'NATS drain did not end in time; closing the connection');
      await nc.close();
    }
  } catch (err) {
    logger.warn({ err: errorText(err) }, 'NATS drain failed');
  } finally {
    clearTimeout(timer);
  }
}

/** Connects to NATS (reconnecting forever) and returns the typed event bus over JetStream. */
export async function connectEvents(options: ConnectEventsOptions): Promise<EventBus> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
    waitOnFirstConnect: options.waitOnFirstConnect ?? true,
    ...(options.tls === undefined ? {} : { tls: natsTls(options.tls) }),
    ...(options.user === undefined ? {} : { user: options.user, pass: options.pass ?? '' }),
    ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
    ...(options.credsFile === undefined
      ? {}
      : { authenticator: credsAuthenticator(() => readFileSync(options.credsFile!)) }),
  });
  const connection = trackConnection(nc, logger);
  const js = nc.jetstream({ timeout: timeoutMs });
  const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
  const multiFilter = supportsMultiFilter(nc.info?.version);
  const consumers = new Set<ConsumerHandle>();
  const watches = new Set<MaxDeliveriesWatch>();

  const publishBytes = (subject: string, streamName: string, data: Uint8Array, opts: PublishOptions) =>
    publishTraced({ js, connection, timeoutMs }, subject, streamName, data, opts);

  const track = (handle: ConsumerHandle): ConsumerHandle => {
    consumers.add(handle);
    return handle;
  };
  const untrack = (handle: ConsumerHandle): void => void consumers.delete(handle);

  const bus: EventBus = {
    nc,
    js,
    jsm,
    connection,
    ensureTopology: async () => {
      for (const stream of Object.values(STREAMS)) {
        await ensureStream(jsm, stream, logger, options.streamReplicas ?? 1);
      }
      for (const def of Object.values(EVENT_CONSUMERS)) {
        await ensureConsumer(jsm, eventConsumer(def), multiFilter, logger);
      }
      for (const def of Object.values(WORK_TYPES)) {
        await ensureConsumer(jsm, workConsumer(def as WorkTypeDef<unknown>), multiFilter, logger);
      }
    },
    publish: (eventType, message, opts) =>
      publishBytes(
        EVENT_TYPES[eventType].subject,
        STREAMS.events.name,
        encodeEvent(eventType, message),
        opts,
      ),
    publishEncoded: (eventType, data, opts) => {
      if (!isEventType(eventType))
        return Promise.reject(new Error(`unknown event type ${String(eventType)}`));
      return publishBytes(EVENT_TYPES[eventType].subject, STREAMS.events.name, data, opts);
    },
    consume: async (
      consumer: EventConsumerName | EventConsumerDef,
      handler: EventHandler<EventType>,
      opts = {},
    ) => {
      const def: EventConsumerDef = typeof consumer === 'string' ? EVENT_CONSUMERS[consumer] : consumer;
      const resolved = eventConsumer(def);
      await ensureConsumer(jsm, resolved, multiFilter, logger);
      const bySubject = new Map<string, EventType>(def.events.map((e) => [EVENT_TYPES[e].subject, e]));
      const handle = await startPullConsumer<unknown, EventType>({
        js,
        consumer: resolved,
        logger,
        options: opts,
        onStopped: untrack,
        connection,
        recreate: () => ensureConsumer(jsm, resolved, multiFilter, logger),
        decode: (msg) => {
          const eventType = bySubject.get(msg.subject);
          if (eventType === undefined) return { skip: true };
          return { skip: false, value: EVENT_TYPES[eventType].codec.decode(msg.data), label: eventType };
        },
        handle: (message, eventType, ctx) =>
          handler({ type: eventType, message } as DecodedEvent<EventType>, { ...ctx, eventType }),
      });
      return track(handle);
    },
    enqueueWork: (workType: WorkType | WorkTypeDef<unknown>, item: unknown, opts: PublishOptions) => {
      const def = workTypeDef(workType);
      return publishBytes(def.subject, STREAMS.work.name, def.codec.encode(item).finish(), opts);
    },
    consumeWork: async (
      workType: WorkType | WorkTypeDef<unknown>,
      handler: WorkHandler<unknown>,
      opts: ConsumeOptions = {},
    ) => {
      const def = workTypeDef(workType);
      const resolved = workConsumer(def);
      await ensureConsumer(jsm, resolved, multiFilter, logger);
      const handle = await startPullConsumer<unknown, null>({
        js,
        consumer: resolved,
        logger,
        options: opts,
        onStopped: untrack,
        connection,
        recreate: () => ensureConsumer(jsm, resolved, multiFilter, logger),
        decode: (msg) =>
          msg.subject === def.subject
            ? { skip: false, value: def.codec.decode(msg.data), label: null }
            : { skip: true },
        handle: (item, _label, ctx) => handler(item, ctx),
      });
      return track(handle);
    },
    onMaxDeliveries: async (
      workType: WorkType | WorkTypeDef<unknown>,
      handler: ExhaustedWorkHandler<unknown>,
      opts: MaxDeliveriesOptions<unknown> = {},
    ) => {
      const def = workTypeDef(workType);
      if (def.consumer.maxDeliverEnforcedBy !== 'server') {
        throw new Error(
          `work type ${def.subject}: the library enforces its delivery limit, so the server sends no ` +
            "max-deliveries advisories; set consumer.maxDeliverEnforcedBy to 'server'",
        );
      }
      await ensureConsumer(jsm, workConsumer(def), multiFilter, logger);
      const watch = watchMaxDeliveries({ nc, js, jsm, def, handler, logger, options: opts });
      watches.add(watch);
      return watch;
    },
    listWork: (workType: WorkType | WorkTypeDef<unknown>) => listWork(jsm, workTypeDef(workType)),
    readDeadLetters: (consumer, opts) => readDeadLetters(js, jsm, consumer, opts),
    close: async (stopOptions?: StopOptions) => {
      await Promise.all([...watches].map((w) => w.stop()));
      await Promise.all([...consumers].map((c) => c.stop(stopOptions)));
      if (nc.isClosed()) return;
      await drainWithinBound(nc, logger);
    },
  };
  return bus;
}
