import type { Span } from '@opentelemetry/api';
import type { JsMsg } from 'nats';

/** What a handler learns about the delivery it is processing. */
export interface DeliveryContext {
  /** The raw JetStream message (ack/nak are done for you; do not call them). */
  readonly msg: JsMsg;
  readonly subject: string;
  /** Durable consumer name. */
  readonly consumer: string;
  /** 1 on the first delivery, 2 on the first retry, ... */
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** The publisher's `Nats-Msg-Id` (dedupe key), when it set one. */
  readonly msgId: string | undefined;
  /** Message headers (first value of each). */
  readonly headers: Readonly<Record<string, string>>;
  /** Tells the server the handler is still busy: resets the ack-wait timer. Call it well within ackWait. */
  working(): void;
  /** Aborted when the consumer stops and its grace period has run out: wrap up and throw. */
  readonly signal: AbortSignal;
  /** The CONSUMER span of this delivery (already active in the handler's context). */
  readonly span: Span;
}

export interface ConsumeOptions {
  /** Messages processed at once by this instance (each slot pulls one message at a time). Default 1. */
  concurrency?: number;
  /** Call `msg.working()` every ackWait/3 while the handler runs. Default false (call ctx.working()). */
  autoHeartbeat?: boolean;
  /** Long-poll duration of each pull request. Default 10_000 ms (minimum 1000). */
  pullExpiresMs?: number;
  /** Timeout of acks and dead-letter publishes. Default 5_000 ms. */
  ackTimeoutMs?: number;
  /** Pause after a failed pull (e.g. while NATS is down) before trying again. Default 500 ms. */
  retryPauseMs?: number;
}

export interface StopOptions {
  /** How long in-flight handlers may run on before their signal is aborted. Default 30_000 ms. */
  graceMs?: number;
}

export interface ConsumerStats {
  delivered: number;
  acked: number;
  retried: number;
  deadLettered: number;
  /** Messages on the consumer's filter that this handler does not want (acked without a handler call). */
  skipped: number;
  inFlight: number;
  pullErrors: number;
}

export interface ConsumerHandle {
  readonly name: string;
  /** Live counters. */
  readonly stats: Readonly<ConsumerStats>;
  /** Stops pulling and waits for in-flight handlers (aborting their signal after the grace period). */
  stop(options?: StopOptions): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
