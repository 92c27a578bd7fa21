// One delivery of a pull consumer, step by step: start its span, dead-letter what cannot be handled,
// run the handler, then ack, retry with backoff or dead-letter.
import { context, type Context, type Span } from '@opentelemetry/api';
import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import { DeadLetterError, publishDeadLetter, type DeadLetterReason } from './dead-letter';
import type { ConsumerStats, DeliveryContext } from './consumer-types';
import type { ResolvedConsumer } from './ensure-topology';
import { errorText, type EventsLogger } from './logger';
import { recordFailure, startConsumerSpan } from './trace';

/** Result of decoding a delivery: the value for the handler, or `skip` for a subject it does not want. */
export type Decoded<V, L> = { skip: true } | { skip: false; value: V; label: L };

/** What every step of one running consumer shares. */
export interface ConsumerRun<V, L> {
  js: JetStreamClient;
  def: ResolvedConsumer;
  logger: EventsLogger;
  /** The fields every log line of this consumer starts with. */
  log: { consumer: string; stream: string };
  decode(msg: JsMsg): Decoded<V, L>;
  handle(value: V, label: L, ctx: DeliveryContext): Promise<void>;
  ackTimeoutMs: number;
  /** Interval of `msg.working()` while a handler runs, or undefined when the handler calls it itself. */
  autoHeartbeatMs: number | undefined;
  stats: ConsumerStats;
  /** Open pulls (ended on stop and on reconnect). */
  fetches: Set<ConsumerMessages>;
  /** Reconnects so far: a pull created across one is ended too (the server that got it is gone). */
  reconnects: number;
  /** One controller per running handler (aborted when the stop grace period runs out). */
  running: Set<AbortController>;
  stopping: AbortController;
}

/** Delay before the next attempt after failed attempt `deliveryCount` (the last value repeats). */
export function retryDelay(backoffMs: readonly number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 0;
}

/** Handles one delivery; never throws (an unexpected error is logged and the message comes back). */
export async function processMessage<V, L>(run: ConsumerRun<V, L>, msg: JsMsg): Promise<void> {
  run.stats.delivered++;
  const msgId = msg.headers?.get('Nats-Msg-Id') || undefined;
  const { span, ctx: spanContext } = startDeliverySpan(run.def, msg, msgId);
  try {
    if (msg.info.deliveryCount > run.def.maxDeliver) {
      // The previous attempt neither acked nor failed: the handler crashed or hung past ackWait.
      const why = `no outcome after ${run.def.maxDeliver} deliveries (ack wait expired)`;
      await deadLetter(run, msg, 'max_deliveries', why);
      return;
    }
    const decoded = await decodeOrDeadLetter(run, msg, span);
    if (decoded === undefined) return;
    if (decoded.skip) {
      msg.ack();
      run.stats.skipped++;
      return;
    }
    const result = await runHandler(run, msg, decoded, { msgId, span, spanContext });
    if (result.failed) {
      recordFailure(span, result.failure);
      await settleFailure(run, msg, result.failure, result.aborted);
      return;
    }
    await confirmAck(run, msg);
  } catch (err) {
    recordFailure(span, err);
    run.logger.error({ ...run.log, err: errorText(err) }, 'unexpected error while processing a message');
  } finally {
    span.end();
  }
}

function startDeliverySpan(
  def: ResolvedConsumer,
  msg: JsMsg,
  msgId: string | undefined,
): { span: Span; ctx: Context } {
  return startConsumerSpan(msg.subject, msg.headers, {
    'messaging.consumer.group.name': def.name,
    'messaging.destination.subscription.name': def.name,
    'messaging.message.id': msgId ?? '',
    'messaging.nats.stream': def.stream,
    'messaging.nats.stream_sequence': msg.info.streamSequence,
    'messaging.nats.delivery_count': msg.info.deliveryCount,
  });
}

/** The decoded payload, or undefined once an undecodable one has been dead-lettered (it never will decode). */
async function decodeOrDeadLetter<V, L>(
  run: ConsumerRun<V, L>,
  msg: JsMsg,
  span: Span,
): Promise<Decoded<V, L> | undefined> {
  try {
    return run.decode(msg);
  } catch (err) {
    recordFailure(span, err);
    await deadLetter(run, msg, 'decode_failed', errorText(err));
    return undefined;
  }
}

type HandlerResult = { failed: false } | { failed: true; failure: unknown; aborted: boolean };

/** Runs the handler inside the delivery's span, heartbeating if asked; reports failure instead of throwing. */
async function runHandler<V, L>(
  run: ConsumerRun<V, L>,
  msg: JsMsg,
  decoded: { value: V; label: L },
  trace: { msgId: string | undefined; span: Span; spanContext: Context },
): Promise<HandlerResult> {
  const controller = new AbortController();
  run.running.add(controller);
  run.stats.inFlight++;
  const timer = run.autoHeartbeatMs ? setInterval(() => msg.working(), run.autoHeartbeatMs) : undefined;
  const ctx: DeliveryContext = {
    msg,
    subject: msg.subject,
    consumer: run.def.name,
    deliveryCount: msg.info.deliveryCount,
    streamSequence: msg.info.streamSequence,
    msgId: trace.msgId,
    headers: headerRecord(msg),
    working: () => msg.working(),
    signal: controller.signal,
    span: trace.span,
  };
  try {
    await context.with(trace.spanContext, () => run.handle(decoded.value, decoded.label, ctx));
    return { failed: false };
  } catch (err) {
    return { failed: true, failure: err, aborted: controller.signal.aborted };
  } finally {
    clearInterval(timer);
    run.running.delete(controller);
    run.stats.inFlight--;
  }
}

function headerRecord(msg: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  const h = msg.headers;
  if (h) for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

async function confirmAck<V, L>(run: ConsumerRun<V, L>, msg: JsMsg): Promise<void> {
  try {
    await msg.ackAck({ timeout: run.ackTimeoutMs });
    run.stats.acked++;
  } catch (err) {
    // The handler's work is done but the server may redeliver: handlers must be idempotent.
    run.logger.warn({ ...run.log, seq: msg.info.streamSequence, err: errorText(err) }, 'ack not confirmed');
  }
}

/** A failed handler: dead-letter (rejected or out of attempts), release (stopping) or retry with backoff. */
async function settleFailure<V, L>(
  run: ConsumerRun<V, L>,
  msg: JsMsg,
  err: unknown,
  aborted: boolean,
): Promise<void> {
  const { def, logger, log, stats } = run;
  const deliveryCount = msg.info.deliveryCount;
  if (err instanceof DeadLetterError) {
    await deadLetter(run, msg, 'rejected', errorText(err));
  } else if (aborted) {
    msg.nak();
    stats.retried++;
    logger.info({ ...log, seq: msg.info.streamSequence }, 'handler aborted by stop; message released');
  } else if (deliveryCount >= def.maxDeliver) {
    await deadLetter(run, msg, 'max_deliveries', errorText(err));
  } else {
    const delay = retryDelay(def.backoffMs, deliveryCount);
    msg.nak(delay);
    stats.retried++;
    logger.warn(
      { ...log, seq: msg.info.streamSequence, deliveryCount, retryInMs: delay, err: errorText(err) },
      'handler failed; will retry',
    );
  }
}

async function deadLetter<V, L>(
  run: ConsumerRun<V, L>,
  msg: JsMsg,
  reason: DeadLetterReason,
  error: string,
): Promise<void> {
  const { def, logger, log, stats } = run;
  try {
    await publishDeadLetter(run.js, msg, { consumer: def.name, reason, error, timeoutMs: run.ackTimeoutMs });
    // No reason text: nats-server before 2.10 ignores a '+TERM <reason>' ack entirely.
    msg.term();
    stats.deadLettered++;
    logger.warn(
      { ...log, subject: msg.subject, seq: msg.info.streamSequence, reason, error },
      'dead-lettered',
    );
  } catch (err) {
    // Never drop: leave the message to come back and try the dead-letter stream again (after the
    // last delivery of a server-enforced limit, the owner's max-deliveries watcher copies it).
    msg.nak(retryDelay(def.backoffMs, msg.info.deliveryCount));
    stats.retried++;
    logger.error({ ...log, seq: msg.info.streamSequence, err: errorText(err) }, 'dead-letter publish failed');
  }
}
