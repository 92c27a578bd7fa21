import {
  context as contextApi,
  metrics,
  SpanStatusCode,
  trace,
  type Context,
  type Meter,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

/** The tracer `name` (usually the package, e.g. `@headstart/events`) from the global provider. */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

/** The meter `name` from the global provider. */
export function getMeter(name: string, version?: string): Meter {
  return metrics.getMeter(name, version);
}

/**
 * Runs `fn` inside a new active span, child of `parent` (default: the active context). A throw is
 * recorded on the span as an exception with ERROR status and rethrown; the span always ends.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T> | T,
  parent: Context = contextApi.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw err;
    } finally {
      span.end();
    }
  });
}
