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

type DetectedBy = ExhaustedWork<unknown>['detectedBy'];

/** What the steps of one watcher share. */
interface Watcher<T> extends WatchParams<T> {
  stream: string;
  consumer: string;
  timeoutMs: number;
  log: { consumer: string; stream: string };
  stats: MaxDeliveriesStats;
  /** Advisories and sweeps may name the same item: settle one thing at a time. */
  serial: <R>(task: () => Promise<R>) => Promise<R>;
  /** Resolves when everything queued on `serial` so far has run. */
  idle(): Promise<unknown>;
  stopped: boolean;
}

export function watchMaxDeliveries<T>(params: WatchParams<T>): MaxDeliveriesWatch {
  const w = watcher(params);
  const sweep = (): Promise<SweepResult> => w.serial(() => sweepOnce(w));
  let subscription: Subscription | undefined = subscribeAdvisories(w);
  const firstSweep = loggedSweep(w, sweep());
  const timer = startPeriodicSweeps(w, sweep);
  let stopping: Promise<void> | undefined;
  return {
    consumer: w.consumer,
    stats: w.stats,
    firstSweep,
    sweep,
    stop: () => {
      stopping ??= (async () => {
        w.stopped = true;
        clearInterval(timer);
        subscription?.unsubscribe();
        subscription = undefined;
        await w.idle();
      })();
      return stopping;
    },
  };
}

function watcher<T>(params: WatchParams<T>): Watcher<T> {
  const stream = STREAMS.work.name;
  const consumer = params.def.consumer.name;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ...params,
    stream,
    consumer,
    timeoutMs: params.options.timeoutMs ?? 5_000,
    log: { consumer, stream },
    stats: { advisories: 0, sweeps: 0, settled: 0, duplicates: 0, failures: 0 },
    serial: <R>(task: () => Promise<R>): Promise<R> => {
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    },
    idle: () => queue,
    stopped: false,
  };
}

/** Settles the item of each MAX_DELIVERIES advisory the server sends for this consumer. */
function subscribeAdvisories<T>(w: Watcher<T>): Subscription {
  return w.nc.subscribe(maxDeliveriesSubject(w.stream, w.consumer), {
    // One owner replica settles each advisory; the others would only find the item gone.
    queue: `headstart-max-deliveries-${w.consumer}`,
    callback: (err, msg) => {
      if (err || w.stopped) return;
      let advisory: MaxDeliverAdvisory;
      try {
        advisory = JSON.parse(new TextDecoder().decode(msg.data)) as MaxDeliverAdvisory;
      } catch {
        return;
      }
      const seq = advisory.stream_seq;
      if (typeof seq !== 'number' || seq <= 0) return;
      w.stats.advisories++;
      void w.serial(() => settleLogged(w, seq, advisory.deliveries ?? w.def.consumer.maxDeliver, 'advisory'));
    },
  });
}

/** Sweeps every `sweepIntervalMs` (never two at once); undefined when the interval is 0. */
function startPeriodicSweeps<T>(
  w: Watcher<T>,
  sweep: () => Promise<SweepResult>,
): NodeJS.Timeout | undefined {
  const intervalMs = w.options.sweepIntervalMs ?? 60_000;
  if (intervalMs <= 0) return undefined;
  let periodic: Promise<SweepResult> | undefined;
  const timer = setInterval(() => {
    if (w.stopped || periodic) return;
    periodic = loggedSweep(w, sweep()).finally(() => (periodic = undefined));
  }, intervalMs);
  timer.unref();
  return timer;
}

/** A sweep that never rejects: a failed one is logged and counts nothing. */
function loggedSweep<T>(w: Watcher<T>, run: Promise<SweepResult>): Promise<SweepResult> {
  return run.catch((err: unknown) => {
    w.logger.warn({ ...w.log, err: errorText(err) }, 'exhausted-work sweep failed');
    return { settled: 0, undetermined: 0, failed: 0 };
  });
}

/** Settles every item the consumer's counters prove exhausted, then hands the rest to `afterSweep`. */
async function sweepOnce<T>(w: Watcher<T>): Promise<SweepResult> {
  w.stats.sweeps++;
  const listing = await listWork(w.jsm, w.def);
  const result: SweepResult = { settled: 0, undetermined: 0, failed: 0 };
  const remaining: QueuedWork<T>[] = [];
  for (const work of listing.items) {
    if (work.status === 'exhausted') {
      const settled = await settleLogged(w, work.streamSequence, w.def.consumer.maxDeliver, 'sweep');
      if (settled === true) result.settled++;
      else if (settled === undefined) {
        result.failed++;
        remaining.push(work);
      }
    } else {
      remaining.push(work);
    }
  }
  const unsure = listing.items.filter((item) => item.status === 'in_flight_or_exhausted').length;
  result.undetermined = Math.max(0, unsure - listing.inFlight);
  if (result.undetermined > 0) {
    w.logger.info(
      { ...w.log, undetermined: result.undetermined, inFlight: listing.inFlight },
      'exhausted work items among in-flight ones; settled once the items before them are acked',
    );
  }
  await w.options.afterSweep?.(remaining);
  return result;
}

/** `settle`, with a failure logged and counted (undefined) instead of thrown: a later sweep retries. */
async function settleLogged<T>(
  w: Watcher<T>,
  seq: number,
  deliveries: number,
  detectedBy: DetectedBy,
): Promise<boolean | undefined> {
  try {
    return await settle(w, seq, deliveries, detectedBy);
  } catch (err) {
    w.stats.failures++;
    w.logger.error(
      { ...w.log, seq, err: errorText(err) },
      'could not settle an exhausted work item; will retry',
    );
    return undefined;
  }
}

/** Dead-letters, reports and removes one exhausted item; false when it is gone already. */
async function settle<T>(
  w: Watcher<T>,
  seq: number,
  deliveries: number,
  detectedBy: DetectedBy,
): Promise<boolean> {
  const stored = await storedItem(w, seq);
  if (!stored) return false;
  const decoded = decodeItem(w.def, stored.data);
  const deadLetter = await deadLetterExhausted(w, stored, seq, deliveries, decoded.error);
  const msgId = stored.header?.get('Nats-Msg-Id') || undefined;
  if (decoded.item !== undefined) {
    await w.handler({ item: decoded.item, streamSequence: seq, deliveries, msgId, detectedBy, deadLetter });
  } else {
    w.logger.error({ ...w.log, seq, err: errorText(decoded.error) }, 'exhausted work item does not decode');
  }
  // Handled: out of the work stream, so no later sweep reports it again.
  await w.jsm.streams.deleteMessage(w.stream, seq, false).catch((err: unknown) => {
    if (!isNoMessage(err)) throw err;
  });
  w.stats.settled++;
  if (deadLetter.duplicate) w.stats.duplicates++;
  w.logger.warn(
    {
      ...w.log,
      seq,
      deliveries,
      detectedBy,
      dlqSequence: deadLetter.sequence,
      duplicate: deadLetter.duplicate,
    },
    'work item exhausted its deliveries: dead-lettered and reported to its owner',
  );
  return true;
}

type StoredMsg = Awaited<ReturnType<JetStreamManager['streams']['getMessage']>>;

/** The item at `seq` in the work stream, or undefined when it is gone or belongs to another work type. */
async function storedItem<T>(w: Watcher<T>, seq: number): Promise<StoredMsg | undefined> {
  let stored: StoredMsg;
  try {
    stored = await w.jsm.streams.getMessage(w.stream, { seq });
  } catch (err) {
    if (isNoMessage(err)) return undefined;
    throw err;
  }
  return stored.subject === w.def.subject ? stored : undefined;
}

function decodeItem<T>(def: WorkTypeDef<T>, data: Uint8Array): { item: T | undefined; error: unknown } {
  try {
    return { item: def.codec.decode(data), error: undefined };
  } catch (err) {
    return { item: undefined, error: err };
  }
}

/** Copies the item to the dead-letter stream with the reason (deduplicated on its stream sequence). */
function deadLetterExhausted<T>(
  w: Watcher<T>,
  stored: StoredMsg,
  seq: number,
  deliveries: number,
  decodeError: unknown,
): Promise<DeadLetterReceipt> {
  return publishDeadLetterCopy(
    w.js,
    {
      subject: stored.subject,
      data: stored.data,
      headers: stored.header,
      stream: w.stream,
      streamSequence: seq,
      deliveries,
    },
    {
      consumer: w.consumer,
      reason: decodeError === undefined ? 'max_deliveries' : 'decode_failed',
      error:
        decodeError === undefined
          ? `no outcome after ${deliveries} deliveries: each one's ack wait expired without an ack, a ` +
            'failure or a heartbeat (the worker died, was killed or hung)'
          : errorText(decodeError),
      timeoutMs: w.timeoutMs,
    },
  );
}
