import { headers as natsHeaders, type JetStreamClient, type JsMsg, type MsgHdrs } from 'nats';
import { DLQ_SUBJECT_PREFIX, STREAMS } from './topology';

/** Headers on every dead letter; the original message's own headers are kept beside them. */
export const DLQ_HEADERS = {
  subject: 'Headstart-Dlq-Subject',
  stream: 'Headstart-Dlq-Stream',
  streamSequence: 'Headstart-Dlq-Stream-Seq',
  consumer: 'Headstart-Dlq-Consumer',
  deliveries: 'Headstart-Dlq-Deliveries',
  reason: 'Headstart-Dlq-Reason',
  error: 'Headstart-Dlq-Error',
  msgId: 'Headstart-Dlq-Msg-Id',
  time: 'Headstart-Dlq-Time',
} as const;

/**
 * Why a message was dead-lettered: the handler kept failing (`max_deliveries`), the payload could not
 * be decoded (`decode_failed`), or the handler threw a `DeadLetterError` (`rejected`).
 */
export type DeadLetterReason = 'max_deliveries' | 'decode_failed' | 'rejected';

/** Throw from a handler to dead-letter the message at once: retrying it cannot succeed. */
export class DeadLetterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadLetterError';
  }
}

export function deadLetterSubject(consumer: string): string {
  return `${DLQ_SUBJECT_PREFIX}.${consumer}`;
}

// Header values cannot hold CR/LF and should stay small.
function headerValue(text: string, max = 1024): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Where a dead letter came from: a delivery in hand, or a message read back from its stream. */
export interface DeadLetterSource {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs | undefined;
  readonly stream: string;
  readonly streamSequence: number;
  readonly deliveries: number;
}

export interface DeadLetterDetails {
  consumer: string;
  reason: DeadLetterReason;
  error: string;
  timeoutMs: number;
}

/** The dead letter's place in HEADSTART_DLQ; `duplicate` when it was there already. */
export interface DeadLetterReceipt {
  readonly sequence: number;
  readonly duplicate: boolean;
}

/** The `Nats-Msg-Id` of the dead letter of one stored message: one dead letter per message. */
export function deadLetterMsgId(consumer: string, stream: string, streamSequence: number): string {
  return `dlq.${consumer}.${stream}.${streamSequence}`;
}

/**
 * Copies a message (payload and headers) to `headstart.dlq.<consumer>` with headers describing where it
 * came from and why. The publish is deduplicated per (consumer, stream, sequence), so a retry after a
 * failed term(), or the max-deliveries watcher copying a message its handler had already dead-lettered,
 * does not store it twice.
 */
export async function publishDeadLetterCopy(
  js: JetStreamClient,
  source: DeadLetterSource,
  details: DeadLetterDetails,
): Promise<DeadLetterReceipt> {
  const h: MsgHdrs = natsHeaders();
  if (source.headers) {
    for (const key of source.headers.keys()) {
      if (key.toLowerCase().startsWith('nats-')) continue;
      for (const value of source.headers.values(key)) h.append(key, value);
    }
  }
  const original = source.headers?.get('Nats-Msg-Id');
  if (original) h.set(DLQ_HEADERS.msgId, original);
  h.set(DLQ_HEADERS.subject, source.subject);
  h.set(DLQ_HEADERS.stream, source.stream);
  h.set(DLQ_HEADERS.streamSequence, String(source.streamSequence));
  h.set(DLQ_HEADERS.consumer, details.consumer);
  h.set(DLQ_HEADERS.deliveries, String(source.deliveries));
  h.set(DLQ_HEADERS.reason, details.reason);
  h.set(DLQ_HEADERS.error, headerValue(details.error) || '(no message)');
  h.set(DLQ_HEADERS.time, new Date().toISOString());
  const ack = await js.publish(deadLetterSubject(details.consumer), source.data, {
    msgID: deadLetterMsgId(details.consumer, source.stream, source.streamSequence),
    headers: h,
    timeout: details.timeoutMs,
    expect: { streamName: STREAMS.dlq.name },
  });
  return { sequence: ack.seq, duplicate: ack.duplicate };
}

/** Dead-letters the delivery `msg` (see `publishDeadLetterCopy`). */
export async function publishDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  details: DeadLetterDetails,
): Promise<DeadLetterReceipt> {
  return publishDeadLetterCopy(
    js,
    {
      subject: msg.subject,
      data: msg.data,
      headers: msg.headers,
      stream: msg.info.stream,
      streamSequence: msg.info.streamSequence,
      deliveries: msg.info.deliveryCount,
    },
    details,
  );
}
