import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import type { ConnectionState } from './connection-state';
import { processMessage, type ConsumerRun, type Decoded } from './consumer-delivery';
import type {
  ConsumeOptions,
  ConsumerHandle,
  ConsumerStats,
  DeliveryContext,
  StopOptions,
} from './consumer-types';
import type { ResolvedConsumer } from './ensure-topology';
import { errorText, type EventsLogger } from './logger';

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

/**
 * Runs a durable pull consumer: `concurrency` slots, each fetching one message, handling it, then
 * acking (success), nak-ing with backoff (failure) or dead-lettering (too many attempts, undecodable
 * payload, DeadLetterError). A slot only asks for a message when it is free, so nothing waits in a
 * client buffer while its ack-wait clock runs.
 */
export async function startPullConsumer<V, L>(params: PullConsumerParams<V, L>): Promise<ConsumerHandle> {
  const run = consumerRun(params);
  const concurrency = Math.max(1, params.options.concurrency ?? 1);
  const pull = await params.js.consumers.get(run.def.stream, run.def.name);
  // A pull open when the server went away is forgotten by the server: end it at once after a reconnect so
  // the slot pulls again, instead of waiting out its expiry with nothing delivered.
  const stopListening = params.connection.onReconnect(() => {
    run.reconnects++;
    for (const batch of run.fetches) batch.stop();
  });
  const slots = Array.from({ length: concurrency }, () => pullSlot(run, params, pull));
  let stopped: Promise<void> | undefined;
  const handle: ConsumerHandle = {
    name: run.def.name,
    stats: run.stats,
    stop: (options: StopOptions = {}) => {
      stopped ??= stopConsumer(run, slots, options, stopListening).then(() => {
        params.onStopped(handle);
        run.logger.info(run.log, 'consumer stopped');
      });
      return stopped;
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };
  run.logger.info({ ...run.log, concurrency }, 'consumer started');
  return handle;
}

function consumerRun<V, L>(params: PullConsumerParams<V, L>): ConsumerRun<V, L> {
  const def = params.consumer;
  return {
    js: params.js,
    def,
    logger: params.logger,
    log: { consumer: def.name, stream: def.stream },
    decode: params.decode,
    handle: params.handle,
    ackTimeoutMs: params.options.ackTimeoutMs ?? 5_000,
    // Three heartbeats per ack wait, so one late heartbeat does not let the server redeliver.
    autoHeartbeatMs: params.options.autoHeartbeat ? Math.max(100, Math.floor(def.ackWaitMs / 3)) : undefined,
    stats: emptyStats(),
    fetches: new Set<ConsumerMessages>(),
    reconnects: 0,
    running: new Set<AbortController>(),
    stopping: new AbortController(),
  };
}

function emptyStats(): ConsumerStats {
  return { delivered: 0, acked: 0, retried: 0, deadLettered: 0, skipped: 0, inFlight: 0, pullErrors: 0 };
}

type Pull = Awaited<ReturnType<JetStreamClient['consumers']['get']>>;

/** One slot: pull one message, process it, repeat until the consumer stops. */
async function pullSlot<V, L>(
  run: ConsumerRun<V, L>,
  params: PullConsumerParams<V, L>,
  pull: Pull,
): Promise<void> {
  const { stopping, fetches } = run;
  const pullExpiresMs = Math.max(1000, params.options.pullExpiresMs ?? 10_000);
  while (!stopping.signal.aborted) {
    let batch: ConsumerMessages | undefined;
    try {
      // Pull only while connected: a pull written into the reconnect buffer can be lost.
      await params.connection.whenConnected(undefined, stopping.signal);
      if (stopping.signal.aborted) break;
      const reconnects = run.reconnects;
      batch = await pull.fetch({ max_messages: 1, expires: pullExpiresMs });
      fetches.add(batch);
      if (stopping.signal.aborted)
        batch.stop(); // stop() ran while this fetch was being created
      // A reconnect while this fetch was being created: its pull may have gone to the server that went
      // away, which forgot it; pull again now rather than wait out its expiry with nothing delivered.
      else if (run.reconnects !== reconnects) batch.stop();
      for await (const msg of batch) await processMessage(run, msg);
    } catch (err) {
      if (stopping.signal.aborted) break;
      await recoverFromPullError(run, params, err);
      await pauseUnlessStopping(stopping.signal, params.options.retryPauseMs ?? 500);
    } finally {
      if (batch) fetches.delete(batch);
    }
  }
}

async function recoverFromPullError<V, L>(
  run: ConsumerRun<V, L>,
  params: PullConsumerParams<V, L>,
  err: unknown,
): Promise<void> {
  const { logger, log } = run;
  run.stats.pullErrors++;
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
}

/** Waits `ms`, or less when the consumer stops meanwhile. */
function pauseUnlessStopping(stopping: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      stopping.removeEventListener('abort', done);
      resolve();
    }
    stopping.addEventListener('abort', done);
  });
}

/** Stops pulling, lets handlers finish within the grace period, then aborts the rest and waits for them. */
async function stopConsumer<V, L>(
  run: ConsumerRun<V, L>,
  slots: Promise<void>[],
  options: StopOptions,
  stopListening: () => void,
): Promise<void> {
  run.stopping.abort();
  stopListening();
  for (const batch of run.fetches) batch.stop();
  const graceMs = options.graceMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.all(slots).then(() => undefined);
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const controller of run.running) controller.abort(new Error(`consumer ${run.def.name} is stopping`));
  await all;
}
