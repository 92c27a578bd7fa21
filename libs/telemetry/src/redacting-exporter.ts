// Spans leave the process without credentials: attributes named like one are censored, and a
// `Bearer <token>` in any string attribute, event attribute or status message is masked. (The gRPC
// instrumentation records no metadata by default; this guards what handlers and libraries add.)
import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export const REDACTED = '[redacted]';

const SECRET_KEY = /authorization|token|password|secret|api[_-]?key|cookie/i;
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;

function scrubValue(value: unknown): unknown {
  if (typeof value === 'string')
    return /bearer/i.test(value) ? value.replace(BEARER, `$1 ${REDACTED}`) : value;
  if (Array.isArray(value)) return value.map(scrubValue);
  return value;
}

/** The attributes with credential keys censored and bearer tokens masked (the same object when clean). */
export function scrubAttributes(attributes: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    const clean = SECRET_KEY.test(key) ? REDACTED : scrubValue(value);
    if (clean !== value) (out ??= { ...attributes })[key] = clean as Attributes[string];
  }
  return out ?? attributes;
}

/** A view of `span` with scrubbed attributes, events and status; the span itself is not changed. */
export function scrubSpan(span: ReadableSpan): ReadableSpan {
  const attributes = scrubAttributes(span.attributes);
  const events = span.events.map((e) =>
    e.attributes === undefined ? e : { ...e, attributes: scrubAttributes(e.attributes) },
  );
  const message = span.status.message === undefined ? undefined : (scrubValue(span.status.message) as string);
  const status = message === span.status.message ? span.status : { ...span.status, message };
  // The prototype is the span, so its methods (spanContext) and other fields stay as they are.
  return Object.assign(Object.create(span) as ReadableSpan, { attributes, events, status });
}

/** Wraps `exporter` so every span it exports is scrubbed first. */
export function redactingExporter(exporter: SpanExporter): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans.map(scrubSpan), done),
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush === undefined ? {} : { forceFlush: () => exporter.forceFlush!() }),
  };
}
