// The owner's side of a work queue whose delivery limit the server enforces: when every delivery of an
// item ended without an outcome (the worker was killed, ran out of memory, hung), the server stops
// delivering it and nobody else will ever tell the service that owns the item's run or job. This
// watcher does: it dead-letters the item (with the reason, once: the DLQ deduplicates on the item's
// stream sequence, so an item the handler had dead-lettered itself is not stored twice), calls the
// owner back, then removes the item from the work stream.
//
// It learns of exhausted items two ways. The server's MAX_DELIVERIES advisory comes at once but is a
// core NATS message: lost while no watcher is subscribed (the owner restarting, a disconnection). So the
// watcher also sweeps the work stream, at start and then periodically, for items the consumer's
// counters prove exhausted (see work-listing.ts).
import type { JetStreamClient, JetStreamManager, NatsConnection, Subscription } from 'nats';
import { publishDeadLetterCopy, type DeadLetterReceipt } from './dead-letter';
import { errorText, type EventsLogger } from './logger';
import { STREAMS, type WorkTypeDef } from './topology';
import { listWork, type QueuedWork } from './work-listing';

export interface ExhaustedWork<T> {
  readonly item: T;
  readonly streamSequence: number;
  /** Deliveries the item had (the consumer's maxDeliver). */
  readonly deliveries: number;
  readonly msgId: string | undefined;
  /** How the watcher found it. */
  readonly detectedBy: 'advisory' | 'sweep';
  /** The dead letter; `duplicate` when the handler had dead-lettered the item itself. */
  readonly deadLetter: DeadLetterReceipt;
}

/** Settles the owner's record (e.g. marks the run FAILED). Must be idempotent; a throw retries later. */
export type ExhaustedWorkHandler<T> = (work: ExhaustedWork<T>) => Promise<void>;

export interface MaxDeliveriesOptions<T> {
  /** Sweep interval; 0 sweeps only at start. Default 60_000 ms. */
  sweepIntervalMs?: number;
  /** Timeout of the dead-letter publish. Default 5_000 ms. */
  timeoutMs?: number;
  /**
   * Runs after every sweep with what is still in the queue, e.g. to find records that claim to be running
   * but have no item left that could ever be delivered.
   */
  afterSweep?(remaining: readonly QueuedWork<T>[]): Promise<void>;
}

export interface SweepResult {
  /** Exhausted items settled by this sweep. */
  settled: number;
  /** Exhausted items that could not be told apart from in-flight ones; a later sweep settles them. */
  undetermined: number;
  /** Items settling failed for (retried by the next sweep). */
  failed: number;
}

export interface MaxDeliveriesStats {
  advisories: number;
  sweeps: number;
  /** Items dead-lettered and reported to the owner. */
  settled: number;
  /** Of those, items the handler had already dead-lettered. */
  duplicates: number;
  failures: number;
}

export interface MaxDeliveriesWatch {
  readonly consumer: string;
  readonly stats: Readonly<MaxDeliveriesStats>;
  /** The sweep made at start (it runs in the background; never rejects). */
  readonly firstSweep: Promise<SweepResult>;
  /** Sweeps now (queued behind anything being settled). */
  sweep(): Promise<SweepResult>;
  /** Unsubscribes, stops sweeping and waits for what is being settled. */
  stop(): Promise<void>;
}

export interface WatchParams<T> {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  def: WorkTypeDef<T>;
  handler: ExhaustedWorkHandler<T>;
  logger: EventsLogger;
  options: MaxDeliveriesOptions<T>;
}

interface MaxDeliverAdvisory {
  stream_seq?: number;
  deliveries?: number;
}

export function maxDeliveriesSubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}

function isNoMessage(err: unknown): boolean {
  const apiError = (err as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code === 10037 || /no message found/i.test(String((err as Error)?.message ?? err));
}

export function watchMaxDeliveries<T>(params: WatchParams<T>): MaxDeliveriesWatch {
  const { nc, js, jsm, def, handler, logger, options } = params;
  const stream = STREAMS.work.name;
  const consumer = def.consumer.name;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const log = { consumer, stream };
  const stats: MaxDeliveriesStats = { advisories: 0, sweeps: 0, settled: 0, duplicates: 0, failures: 0 };
  // Advisories and sweeps may name the same item: settle one thing at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <R>(task: () => Promise<R>): Promise<R> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  let stopped = false;

  /** Dead-letters, reports and removes one exhausted item; false when it is gone already. */
  const settle = async (seq: number, deliveries: number, detectedBy: 'advisory' | 'sweep') => {
    let stored;
    try {
      stored = await jsm.streams.getMessage(stream, { seq });
    } catch (err) {
      if (isNoMessage(err)) return false;
      throw err;
    }
    if (stored.subject !== def.subject) return false;
    let item: T | undefined;
    let decodeError: unknown;
    try {
      item = def.codec.decode(stored.data);
    } catch (err) {
      decodeError = err;
    }
    const deadLetter = await publishDeadLetterCopy(
      js,
      {
        subject: stored.subject,
        data: stored.data,
        headers: stored.header,
        stream,
        streamSequence: seq,
        deliveries,
      },
      {
        consumer,
        reason: decodeError === undefined ? 'max_deliveries' : 'decode_failed',
        error:
          decodeError === undefined
            ? `no outcome after ${deliveries} deliveries: each one's ack wait expired without an ack, a ` +
              'failure or a heartbeat (the worker died, was killed or hung)'
            : errorText(decodeError),
        timeoutMs,
      },
    );
    const msgId = stored.header?.get('Nats-Msg-Id') || undefined;
    if (item !== undefined) {
      await handler({ item, streamSequence: seq, deliveries, msgId, detectedBy, deadLetter });
    } else {
      logger.error({ ...log, seq, err: errorText(decodeError) }, 'exhausted work item does not decode');
    }
    // Handled: out of the work stream, so no later sweep reports it again.
    await jsm.streams.deleteMessage(stream, seq, false).catch((err: unknown) => {
      if (!isNoMessage(err)) throw err;
    });
    stats.settled++;
    if (deadLetter.duplicate) stats.duplicates++;
    logger.warn(
      {
        ...log,
        seq,
        deliveries,
        detectedBy,
        dlqSequence: deadLetter.sequence,
        duplicate: deadLetter.duplicate,
      },
      'work item exhausted its deliveries: dead-lettered and reported to its owner',
    );
    return true;
  };

  const settleLogged = async (seq: number, deliveries: number, detectedBy: 'advisory' | 'sweep') => {
    try {
      return await settle(seq, deliveries, detectedBy);
    } catch (err) {
      stats.failures++;
      logger.error(
        { ...log, seq, err: errorText(err) },
        'could not settle an exhausted work item; will retry',
      );
      return undefined;
    }
  };

  const sweepOnce = async (): Promise<SweepResult> => {
    stats.sweeps++;
    const listing = await listWork(jsm, def);
    const result: SweepResult = { settled: 0, undetermined: 0, failed: 0 };
    const remaining: QueuedWork<T>[] = [];
    for (const work of listing.items) {
      if (work.status === 'exhausted') {
        const settled = await settleLogged(work.streamSequence, def.consumer.maxDeliver, 'sweep');
        if (settled === true) result.settled++;
        else if (settled === undefined) {
          result.failed++;
          remaining.push(work);
        }
      } else {
        remaining.push(work);
      }
    }
    const unsure = listing.items.filter((w) => w.status === 'in_flight_or_exhausted').length;
    result.undetermined = Math.max(0, unsure - listing.inFlight);
    if (result.undetermined > 0) {
      logger.info(
        { ...log, undetermined: result.undetermined, inFlight: listing.inFlight },
        'exhausted work items among in-flight ones; settled once the items before them are acked',
      );
    }
    await options.afterSweep?.(remaining);
    return result;
  };

  const sweep = (): Promise<SweepResult> => serial(sweepOnce);

  let subscription: Subscription | undefined = nc.subscribe(maxDeliveriesSubject(stream, consumer), {
    // One owner replica settles each advisory; the others would only find the item gone.
    queue: `headstart-max-deliveries-${consumer}`,
    callback: (err, msg) => {
      if (err || stopped) return;
      let advisory: MaxDeliverAdvisory;
      try {
        advisory = JSON.parse(new TextDecoder().decode(msg.data)) as MaxDeliverAdvisory;
      } catch {
        return;
      }
      const seq = advisory.stream_seq;
      if (typeof seq !== 'number' || seq <= 0) return;
      stats.advisories++;
      void serial(() => settleLogged(seq, advisory.deliveries ?? def.consumer.maxDeliver, 'advisory'));
    },
  });

  const logged = (run: Promise<SweepResult>): Promise<SweepResult> =>
    run.catch((err: unknown) => {
      logger.warn({ ...log, err: errorText(err) }, 'exhausted-work sweep failed');
      return { settled: 0, undetermined: 0, failed: 0 };
    });
  const firstSweep = logged(sweep());
  const intervalMs = options.sweepIntervalMs ?? 60_000;
  let periodic: Promise<SweepResult> | undefined;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (stopped || periodic) return;
          periodic = logged(sweep()).finally(() => (periodic = undefined));
        }, intervalMs)
      : undefined;
  timer?.unref();

  let stopping: Promise<void> | undefined;
  return {
    consumer,
    stats,
    firstSweep,
    sweep,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        subscription?.unsubscribe();
        subscription = undefined;
        await queue;
      })();
      return stopping;
    },
  };
}
