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

/**
 * Copies `msg` (payload and headers) to `headstart.dlq.<consumer>` with headers describing where it
 * came from and why. The publish is deduplicated per (consumer, stream, sequence), so a retry after a
 * failed term() does not store it twice.
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  details: { consumer: string; reason: DeadLetterReason; error: string; timeoutMs: number },
): Promise<void> {
  const h: MsgHdrs = natsHeaders();
  if (msg.headers) {
    for (const key of msg.headers.keys()) {
      if (key.toLowerCase().startsWith('nats-')) continue;
      for (const value of msg.headers.values(key)) h.append(key, value);
    }
  }
  const original = msg.headers?.get('Nats-Msg-Id');
  if (original) h.set(DLQ_HEADERS.msgId, original);
  h.set(DLQ_HEADERS.subject, msg.subject);
  h.set(DLQ_HEADERS.stream, msg.info.stream);
  h.set(DLQ_HEADERS.streamSequence, String(msg.info.streamSequence));
  h.set(DLQ_HEADERS.consumer, details.consumer);
  h.set(DLQ_HEADERS.deliveries, String(msg.info.deliveryCount));
  h.set(DLQ_HEADERS.reason, details.reason);
  h.set(DLQ_HEADERS.error, headerValue(details.error) || '(no message)');
  h.set(DLQ_HEADERS.time, new Date().toISOString());
  await js.publish(deadLetterSubject(details.consumer), msg.data, {
    msgID: `dlq.${details.consumer}.${msg.info.stream}.${msg.info.streamSequence}`,
    headers: h,
    timeout: details.timeoutMs,
    expect: { streamName: STREAMS.dlq.name },
  });
}
