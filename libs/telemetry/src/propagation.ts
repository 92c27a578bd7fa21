import {
  context as contextApi,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/*
 * A fixed W3C propagator rather than the global one: message headers must carry `traceparent` the same
 * way whether or not (or however) the SDK was started in this process.
 */
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

const setterOf = (set: (key: string, value: string) => void): TextMapSetter<undefined> => ({
  set: (_carrier, key, value) => set(key, value),
});

const getterOf = (get: (key: string) => string | undefined): TextMapGetter<undefined> => ({
  get: (_carrier, key) => get(key),
  keys: () => [],
});

/**
 * Writes the trace context of `ctx` (default: the active one) as W3C headers (`traceparent`,
 * `tracestate`, `baggage`) through `setter`, e.g. `(k, v) => headers.set(k, v)` for NATS headers.
 */
export function injectContext(
  setter: (key: string, value: string) => void,
  ctx: Context = contextApi.active(),
): void {
  propagator.inject(ctx, undefined, setterOf(setter));
}

/** The context carried by W3C headers read through `getter`, on top of `base` (default: active). */
export function extractContext(
  getter: (key: string) => string | undefined,
  base: Context = contextApi.active(),
): Context {
  return propagator.extract(base, undefined, getterOf(getter));
}

/** A span link to the span in `ctx` (e.g. the producer of a message), or undefined if there is none. */
export function linkFromContext(ctx: Context): Link | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext)
    ? { context: spanContext }
    : undefined;
}

/**
 * The active trace context as W3C headers, to store with a record (a job, an outbox row) whose work runs
 * later, outside the request that created it. Empty when there is no valid span context.
 */
export function traceHeaders(ctx: Context = contextApi.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  injectContext((key, value) => (headers[key] = value), ctx);
  return headers;
}

/** The context stored by `traceHeaders`, on top of the root context (not whatever is active now). */
export function contextFromTraceHeaders(headers: Readonly<Record<string, string>>): Context {
  return extractContext((key) => headers[key], ROOT_CONTEXT);
}
