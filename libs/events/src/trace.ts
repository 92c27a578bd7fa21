// W3C trace context in NATS headers: nats.js has no OpenTelemetry instrumentation, so the producer
// injects `traceparent`/`tracestate` and the consumer extracts them.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { MsgHdrs } from 'nats';
import { errorText } from './logger';

const TRACER_NAME = 'headstart.events';

const headerSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => (carrier ? carrier.keys() : []),
  get: (carrier, key) => {
    const value = carrier?.get(key);
    return value === undefined || value === '' ? undefined : value;
  },
};

export function startProducerSpan(subject: string, attributes: Attributes, parent?: Context): Span {
  return trace.getTracer(TRACER_NAME).startSpan(
    `send ${subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': subject,
        ...attributes,
      },
    },
    parent ?? context.active(),
  );
}

/** Writes the span's context into the headers with the globally registered propagator. */
export function injectTraceContext(span: Span, headers: MsgHdrs): void {
  propagation.inject(trace.setSpan(context.active(), span), headers, headerSetter);
}

/**
 * A CONSUMER span whose parent is the producer's context from the headers (one trace from publish
 * to handler) and which also links to it, as the messaging conventions suggest.
 */
export function startConsumerSpan(
  subject: string,
  headers: MsgHdrs | undefined,
  attributes: Attributes,
): { span: Span; ctx: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const producer = trace.getSpanContext(parent);
  const links: Link[] = producer && trace.isSpanContextValid(producer) ? [{ context: producer }] : [];
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `process ${subject}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'process',
        'messaging.destination.name': subject,
        ...attributes,
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

export function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(err) });
}

/**
 * The current trace context as W3C headers (`traceparent`, `tracestate`), e.g. to store beside an outbox
 * row so the relay can publish later as part of the same trace. Empty when no propagator is registered.
 */
export function captureTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context described by headers from `captureTraceHeaders`, to pass as `PublishOptions.parent`. */
export function traceContextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
