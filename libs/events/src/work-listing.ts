// What is in a work queue right now, item by item, and what the durable consumer has done with each.
// JetStream does not say per message whether a delivered message is still in flight or has used up its
// deliveries; the consumer's counters say it for whole ranges, which is enough to be certain in the
// common cases and to say "one of the two" otherwise:
//   - acked (and terminated) messages are removed from a work-queue stream, so a stored message is
//     waiting, in flight (delivered, not acked yet, maybe waiting for a redelivery) or exhausted;
//   - one past the consumer's delivered sequence: never delivered (waiting);
//   - at or below the ack floor: every message there was acked or has used up its deliveries, so a stored
//     one is exhausted;
//   - between the two: in flight or exhausted. Exactly `num_ack_pending` of them are in flight, so when
//     that is 0 all are exhausted and when it equals their number none is.
import type { JetStreamManager } from 'nats';
import { STREAMS, type WorkTypeDef } from './topology';

export type WorkStatus = 'waiting' | 'in_flight' | 'exhausted' | 'in_flight_or_exhausted';

export interface QueuedWork<T> {
  readonly streamSequence: number;
  /** The decoded item; undefined when the payload does not decode. */
  readonly item: T | undefined;
  readonly msgId: string | undefined;
  readonly status: WorkStatus;
}

export interface WorkListing<T> {
  readonly items: QueuedWork<T>[];
  /** Messages delivered and not acked: in flight, some of them possibly waiting for a redelivery. */
  readonly inFlight: number;
}

function isNoMessage(err: unknown): boolean {
  const apiError = (err as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code === 10037 || /no message found/i.test(String((err as Error)?.message ?? err));
}

/** Sequence and payload of every message stored on `subject`, oldest first. */
async function storedMessages(
  jsm: JetStreamManager,
  subject: string,
): Promise<{ seq: number; data: Uint8Array; msgId: string | undefined }[]> {
  const out: { seq: number; data: Uint8Array; msgId: string | undefined }[] = [];
  for (let seq = 1; ;) {
    try {
      // `next_by_subj` (nats-server 2.9+) skips the sequences of other subjects and of removed messages.
      const query = { seq, next_by_subj: subject } as unknown as { seq: number };
      const msg = await jsm.streams.getMessage(STREAMS.work.name, query);
      out.push({ seq: msg.seq, data: msg.data, msgId: msg.header?.get('Nats-Msg-Id') || undefined });
      seq = msg.seq + 1;
    } catch (err) {
      if (isNoMessage(err)) return out;
      throw err;
    }
  }
}

/** Every item stored in the work queue of `def`, with what its durable consumer did with it. */
export async function listWork<T>(jsm: JetStreamManager, def: WorkTypeDef<T>): Promise<WorkListing<T>> {
  // The consumer first: a message acked after this snapshot is gone from the listing below, and one that
  // was in flight here can only have moved on, so the conclusions err on the side of "in flight".
  const info = await jsm.consumers.info(STREAMS.work.name, def.consumer.name);
  const floor = info.ack_floor.stream_seq;
  const delivered = info.delivered.stream_seq;
  const inFlight = info.num_ack_pending;
  const stored = await storedMessages(jsm, def.subject);
  const between = stored.filter((m) => m.seq > floor && m.seq <= delivered).length;
  const middle: WorkStatus =
    inFlight === 0 ? 'exhausted' : inFlight >= between ? 'in_flight' : 'in_flight_or_exhausted';
  const items = stored.map((m): QueuedWork<T> => {
    let item: T | undefined;
    try {
      item = def.codec.decode(m.data);
    } catch {
      item = undefined;
    }
    const status: WorkStatus = m.seq > delivered ? 'waiting' : m.seq <= floor ? 'exhausted' : middle;
    return { streamSequence: m.seq, item, msgId: m.msgId, status };
  });
  return { items, inFlight };
}
