export { DEFAULT_METRIC_INTERVAL_MS, DEFAULT_OTLP_ENDPOINT, startTelemetry } from './start-telemetry';
export type { Telemetry, TelemetryExporter, TelemetryOptions } from './start-telemetry';
export {
  contextFromTraceHeaders,
  extractContext,
  injectContext,
  linkFromContext,
  traceHeaders,
} from './propagation';
export { getMeter, getTracer, withSpan } from './tracing';
export { formatSpanLine, SpanLineExporter } from './span-line-exporter';
