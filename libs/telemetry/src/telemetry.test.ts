import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  extractContext,
  getMeter,
  getTracer,
  injectContext,
  linkFromContext,
  startTelemetry,
  withSpan,
  type Telemetry,
} from './index';

describe('telemetry with the in-memory exporter', () => {
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'telemetry-test',
      serviceVersion: '1.2.3',
      exporter: 'memory',
    });
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });
  beforeEach(() => telemetry.memoryExporter?.reset());

  it('carries the producer trace through message headers to the consumer, as parent and link', async () => {
    const tracer = getTracer('@headstart/telemetry-test');
    const headers = new Map<string, string>();
    await withSpan(tracer, 'publish events.version-created', { kind: SpanKind.PRODUCER }, () => {
      injectContext((key, value) => headers.set(key, value));
    });
    expect(headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // The consumer runs later, outside the producer's context.
    const extracted = context.with(context.active(), () => extractContext((key) => headers.get(key)));
    const link = linkFromContext(extracted);
    expect(link).toBeDefined();
    await withSpan(
      tracer,
      'process events.version-created',
      { kind: SpanKind.CONSUMER, links: link ? [link] : [] },
      () => undefined,
      extracted,
    );

    const spans = telemetry.memoryExporter?.getFinishedSpans() ?? [];
    const producer = spans.find((s) => s.name === 'publish events.version-created');
    const consumer = spans.find((s) => s.name === 'process events.version-created');
    expect(producer).toBeDefined();
    expect(consumer).toBeDefined();
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.links[0]?.context.spanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.resource.attributes['service.name']).toBe('telemetry-test');
    expect(consumer?.resource.attributes['service.version']).toBe('1.2.3');
  });

  it('extracts nothing from headers without a traceparent', () => {
    const extracted = extractContext(() => undefined);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
    expect(linkFromContext(extracted)).toBeUndefined();
  });

  it('withSpan records a thrown error and sets ERROR status, and rethrows', async () => {
    const tracer = getTracer('@headstart/telemetry-test');
    await expect(
      withSpan(tracer, 'failing', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [span] = telemetry.memoryExporter?.getFinishedSpans() ?? [];
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('withSpan nests spans through the active context', async () => {
    const tracer = getTracer('@headstart/telemetry-test');
    await withSpan(tracer, 'outer', {}, () => withSpan(tracer, 'inner', {}, () => 42));
    const spans = telemetry.memoryExporter?.getFinishedSpans() ?? [];
    const outer = spans.find((s) => s.name === 'outer');
    const inner = spans.find((s) => s.name === 'inner');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
  });

  it('exports metrics recorded through getMeter', async () => {
    getMeter('@headstart/telemetry-test')
      .createCounter('headstart_test_events_total')
      .add(3, { stream: 'x' });
    await telemetry.forceFlush();
    const exported = telemetry.memoryMetricExporter?.getMetrics() ?? [];
    const points = exported
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'headstart_test_events_total')
      .flatMap((m) => m.dataPoints as Array<{ value: unknown }>);
    expect(points.at(-1)?.value).toBe(3);
  });

  it('refuses a second start while one is running', () => {
    expect(() => startTelemetry({ serviceName: 'again', exporter: 'memory' })).toThrow(/already started/);
  });
});
