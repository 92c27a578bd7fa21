import { AckPolicy, DeliverPolicy, nanos, type JetStreamClient, type JetStreamManager } from 'nats';
import { DLQ_HEADERS, deadLetterSubject } from './dead-letter';
import { STREAMS } from './topology';

export interface DeadLetter {
  /** Sequence of the dead letter in HEADSTART_DLQ. */
  readonly dlqSequence: number;
  readonly subject: string;
  readonly stream: string;
  readonly streamSequence: number;
  readonly consumer: string;
  readonly deliveries: number;
  readonly reason: string;
  readonly error: string;
  readonly msgId: string | undefined;
  readonly time: string;
  /** Every header of the dead letter, including the original message's (e.g. traceparent). */
  readonly headers: Readonly<Record<string, string>>;
  /** The original payload, unchanged. */
  readonly data: Uint8Array;
}

export interface ReadDeadLettersOptions {
  /** At most this many (oldest first). Default 100. */
  limit?: number;
}

/** Reads the dead letters of one consumer with an ephemeral ordered consumer (nothing is acked). */
export async function readDeadLetters(
  js: JetStreamClient,
  jsm: JetStreamManager,
  consumer: string,
  options: ReadDeadLettersOptions = {},
): Promise<DeadLetter[]> {
  const subject = deadLetterSubject(consumer);
  const info = await jsm.streams.info(STREAMS.dlq.name, { subjects_filter: subject });
  const available = info.state.subjects?.[subject] ?? 0;
  const wanted = Math.min(available, options.limit ?? 100);
  if (wanted === 0) return [];
  // An ephemeral, unacked, in-memory consumer: works on every nats-server 2.9+ and leaves no trace.
  const ephemeral = await jsm.consumers.add(STREAMS.dlq.name, {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    mem_storage: true,
    inactive_threshold: nanos(60_000),
  });
  const reader = await js.consumers.get(STREAMS.dlq.name, ephemeral.name);
  const batch = await reader.fetch({ max_messages: wanted, expires: 5_000 });
  const out: DeadLetter[] = [];
  for await (const msg of batch) {
    const headers: Record<string, string> = {};
    for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers?.get(key) ?? '';
    out.push({
      dlqSequence: msg.seq,
      subject: headers[DLQ_HEADERS.subject] ?? '',
      stream: headers[DLQ_HEADERS.stream] ?? '',
      streamSequence: Number(headers[DLQ_HEADERS.streamSequence] ?? 0),
      consumer: headers[DLQ_HEADERS.consumer] ?? consumer,
      deliveries: Number(headers[DLQ_HEADERS.deliveries] ?? 0),
      reason: headers[DLQ_HEADERS.reason] ?? '',
      error: headers[DLQ_HEADERS.error] ?? '',
      msgId: headers[DLQ_HEADERS.msgId],
      time: headers[DLQ_HEADERS.time] ?? '',
      headers,
      data: msg.data,
    });
    if (out.length >= wanted) break;
  }
  await jsm.consumers.delete(STREAMS.dlq.name, ephemeral.name).catch(() => undefined);
  return out;
}
