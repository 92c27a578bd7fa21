import { context } from '@opentelemetry/api';
import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import { DeadLetterError, publishDeadLetter, type DeadLetterReason } from './dead-letter';
import type { ConnectionState } from './connection-state';
import type {
  ConsumeOptions,
  ConsumerHandle,
  ConsumerStats,
  DeliveryContext,
  StopOptions,
} from './consumer-types';
import type { ResolvedConsumer } from './ensure-topology';
import { errorText, type EventsLogger } from './logger';
import { recordFailure, startConsumerSpan } from './trace';

/** Result of decoding a delivery: the value for the handler, or `skip` for a subject it does not want. */
export type Decoded<V, L> = { skip: true } | { skip: false; value: V; label: L };

export interface PullConsumerParams<V, L> {
  js: JetStreamClient;
  consumer: ResolvedConsumer;
  decode(msg: JsMsg): Decoded<V, L>;
  handle(value: V, label: L, ctx: DeliveryContext): Promise<void>;
  options: ConsumeOptions;
  logger: EventsLogger;
  onStopped(handle: ConsumerHandle): void;
  connection: ConnectionState;
  /** Creates the durable consumer again (after someone deleted it). */
  recreate(): Promise<void>;
}

function headerRecord(msg: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  const h = msg.headers;
  if (h) for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

/** Delay before the next attempt after failed attempt `deliveryCount` (the last value repeats). */
export function retryDelay(backoffMs: readonly number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 0;
}

/**
 * Runs a durable pull consumer: `concurrency` slots, each fetching one message, handling it, then
 * acking (success), nak-ing with backoff (failure) or dead-lettering (too many attempts, undecodable
 * payload, DeadLetterError). A slot only asks for a message when it is free, so nothing waits in a
 * client buffer while its ack-wait clock runs.
 */
export async function startPullConsumer<V, L>(params: PullConsumerParams<V, L>): Promise<ConsumerHandle> {
  const { js, consumer: def, logger } = params;
  const concurrency = Math.max(1, params.options.concurrency ?? 1);
  const pullExpiresMs = Math.max(1000, params.options.pullExpiresMs ?? 10_000);
  const ackTimeoutMs = params.options.ackTimeoutMs ?? 5_000;
  const retryPauseMs = params.options.retryPauseMs ?? 500;
  const heartbeatMs = Math.max(100, Math.floor(def.ackWaitMs / 3));
  const log = { consumer: def.name, stream: def.stream };

  const pull = await js.consumers.get(def.stream, def.name);
  const stats: ConsumerStats = {
    delivered: 0,
    acked: 0,
    retried: 0,
    deadLettered: 0,
    skipped: 0,
    inFlight: 0,
    pullErrors: 0,
  };
  const fetches = new Set<ConsumerMessages>();
  const running = new Set<AbortController>();
  const stopping = new AbortController();
  // A pull open when the server went away is forgotten by the server: end it at once after a reconnect so
  // the slot pulls again, instead of waiting out its expiry with nothing delivered.
  const stopListening = params.connection.onReconnect(() => {
    for (const batch of fetches) batch.stop();
  });

  const deadLetter = async (msg: JsMsg, reason: DeadLetterReason, error: string): Promise<void> => {
    try {
      await publishDeadLetter(js, msg, { consumer: def.name, reason, error, timeoutMs: ackTimeoutMs });
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
      logger.error(
        { ...log, seq: msg.info.streamSequence, err: errorText(err) },
        'dead-letter publish failed',
      );
    }
  };

  const onFailure = async (msg: JsMsg, err: unknown, aborted: boolean): Promise<void> => {
    const deliveryCount = msg.info.deliveryCount;
    if (err instanceof DeadLetterError) {
      await deadLetter(msg, 'rejected', errorText(err));
    } else if (aborted) {
      msg.nak();
      stats.retried++;
      logger.info({ ...log, seq: msg.info.streamSequence }, 'handler aborted by stop; message released');
    } else if (deliveryCount >= def.maxDeliver) {
      await deadLetter(msg, 'max_deliveries', errorText(err));
    } else {
      const delay = retryDelay(def.backoffMs, deliveryCount);
      msg.nak(delay);
      stats.retried++;
      logger.warn(
        { ...log, seq: msg.info.streamSequence, deliveryCount, retryInMs: delay, err: errorText(err) },
        'handler failed; will retry',
      );
    }
  };

  const processMessage = async (msg: JsMsg): Promise<void> => {
    stats.delivered++;
    const deliveryCount = msg.info.deliveryCount;
    const msgId = msg.headers?.get('Nats-Msg-Id') || undefined;
    const { span, ctx: spanContext } = startConsumerSpan(msg.subject, msg.headers, {
      'messaging.consumer.group.name': def.name,
      'messaging.destination.subscription.name': def.name,
      'messaging.message.id': msgId ?? '',
      'messaging.nats.stream': def.stream,
      'messaging.nats.stream_sequence': msg.info.streamSequence,
      'messaging.nats.delivery_count': deliveryCount,
    });
    try {
      if (deliveryCount > def.maxDeliver) {
        // The previous attempt neither acked nor failed: the handler crashed or hung past ackWait.
        await deadLetter(
          msg,
          'max_deliveries',
          `no outcome after ${def.maxDeliver} deliveries (ack wait expired)`,
        );
        return;
      }
      let decoded: Decoded<V, L>;
      try {
        decoded = params.decode(msg);
      } catch (err) {
        recordFailure(span, err);
        await deadLetter(msg, 'decode_failed', errorText(err));
        return;
      }
      if (decoded.skip) {
        msg.ack();
        stats.skipped++;
        return;
      }
      const controller = new AbortController();
      running.add(controller);
      stats.inFlight++;
      const timer = params.options.autoHeartbeat ? setInterval(() => msg.working(), heartbeatMs) : undefined;
      const ctx: DeliveryContext = {
        msg,
        subject: msg.subject,
        consumer: def.name,
        deliveryCount,
        streamSequence: msg.info.streamSequence,
        msgId,
        headers: headerRecord(msg),
        working: () => msg.working(),
        signal: controller.signal,
        span,
      };
      let failed = false;
      let failure: unknown;
      try {
        const { value, label } = decoded;
        await context.with(spanContext, () => params.handle(value, label, ctx));
      } catch (err) {
        failed = true;
        failure = err;
      } finally {
        clearInterval(timer);
        running.delete(controller);
        stats.inFlight--;
      }
      if (failed) {
        recordFailure(span, failure);
        await onFailure(msg, failure, controller.signal.aborted);
        return;
      }
      try {
        await msg.ackAck({ timeout: ackTimeoutMs });
        stats.acked++;
      } catch (err) {
        // The handler's work is done but the server may redeliver: handlers must be idempotent.
        logger.warn({ ...log, seq: msg.info.streamSequence, err: errorText(err) }, 'ack not confirmed');
      }
    } catch (err) {
      recordFailure(span, err);
      logger.error({ ...log, err: errorText(err) }, 'unexpected error while processing a message');
    } finally {
      span.end();
    }
  };

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done);
    });

  const slot = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let batch: ConsumerMessages | undefined;
      try {
        // Pull only while connected: a pull written into the reconnect buffer can be lost.
        await params.connection.whenConnected(undefined, stopping.signal);
        if (stopping.signal.aborted) break;
        batch = await pull.fetch({ max_messages: 1, expires: pullExpiresMs });
        fetches.add(batch);
        if (stopping.signal.aborted) batch.stop(); // stop() ran while this fetch was being created
        for await (const msg of batch) await processMessage(msg);
      } catch (err) {
        if (stopping.signal.aborted) break;
        stats.pullErrors++;
        const text = errorText(err);
        if (/consumer (deleted|not found)/i.test(text)) {
          // Deleted behind our back (e.g. by an operator): the topology says it exists, so it does.
          // With deliverPolicy 'all' a recreated consumer replays the stream: handlers are idempotent.
          logger.error({ ...log, err: text }, 'durable consumer is gone; recreating it');
          await params
            .recreate()
            .catch((e: unknown) => logger.error({ ...log, err: errorText(e) }, 'recreate failed'));
        } else {
          logger.warn({ ...log, err: text }, 'pull failed; retrying');
        }
        await pause(retryPauseMs);
      } finally {
        if (batch) fetches.delete(batch);
      }
    }
  };

  const slots = Array.from({ length: concurrency }, () => slot());
  let stopped: Promise<void> | undefined;
  const handle: ConsumerHandle = {
    name: def.name,
    stats,
    stop: (options: StopOptions = {}) => {
      stopped ??= (async () => {
        stopping.abort();
        stopListening();
        for (const batch of fetches) batch.stop();
        const graceMs = options.graceMs ?? 30_000;
        let timer: NodeJS.Timeout | undefined;
        const all = Promise.all(slots).then(() => undefined);
        await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        for (const controller of running) controller.abort(new Error(`consumer ${def.name} is stopping`));
        await all;
        params.onStopped(handle);
        logger.info(log, 'consumer stopped');
      })();
      return stopped;
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };
  logger.info({ ...log, concurrency }, 'consumer started');
  return handle;
}
