// Spans as one line each, for a terminal (`headstart up --otel console`): the trace, the span, its parent,
// kind, duration, name, status and the span's `headstart.*` attributes. A user follows one trace by its
// id (`grep trace=<id>`); the full objects of ConsoleSpanExporter are 20-odd lines a span.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** One line (with its newline) for a finished span. */
export function formatSpanLine(span: ReadableSpan): string {
  const { traceId, spanId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? '-';
  const ms = span.duration[0] * 1e3 + span.duration[1] / 1e6;
  const kind = (SpanKind[span.kind] ?? 'internal').toLowerCase();
  const status =
    span.status.code === SpanStatusCode.ERROR
      ? ` ERROR${span.status.message ? ` ${span.status.message}` : ''}`
      : '';
  const attributes = Object.entries(span.attributes)
    .filter(([key]) => key.startsWith('headstart.'))
    .map(([key, value]) => ` ${key.slice('headstart.'.length)}=${String(value)}`)
    .join('');
  return `span trace=${traceId} id=${spanId} parent=${parent} ${kind} ${ms.toFixed(1)}ms ${span.name}${status}${attributes}\n`;
}

export class SpanLineExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.write(formatSpanLine(span));
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Metrics nowhere (the line format is for traces; a collector gets both). */
export const discardMetrics: PushMetricExporter = {
  export: (_metrics: ResourceMetrics, done: (result: ExportResult) => void) =>
    done({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
