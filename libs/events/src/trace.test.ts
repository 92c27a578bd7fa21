import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { waitFor } from '@headstart/testing';
import { encodeEvent } from './event-codec';
import { defineEventConsumer } from './topology';
import { captureTraceHeaders, traceContextFromHeaders } from './trace';
import { sampleVersion, startTestEnv } from './test-support';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('trace context', () => {
  it('makes the consumer span a child of (and linked to) the producer span, in the same trace', async () => {
    await using env = await startTestEnv();
    let handlerTraceId: string | undefined;
    let activeIsConsumerSpan = false;
    const consumer = await env.bus.consume(
      defineEventConsumer({
        name: 'test-trace',
        description: 'test',
        events: ['checkpointRegistered'],
        ackWaitMs: 5_000,
        maxDeliver: 2,
        backoffMs: [],
      }),
      async (_event, ctx) => {
        handlerTraceId = ctx.span.spanContext().traceId;
        activeIsConsumerSpan = trace.getActiveSpan() === ctx.span;
      },
    );

    const tracer = trace.getTracer('test');
    const rootTraceId = await tracer.startActiveSpan('registry.CreateVersion', async (root) => {
      await env.bus.publish(
        'checkpointRegistered',
        { version: sampleVersion('traced'), final: false },
        { msgId: 'traced' },
      );
      root.end();
      return root.spanContext().traceId;
    });
    await waitFor(() => consumer.stats.acked === 1);

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    const consumerSpan = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(producer?.name).toBe('send headstart.events.registry.checkpoint_registered');
    expect(producer?.spanContext().traceId).toBe(rootTraceId);
    expect(producer?.attributes['messaging.message.id']).toBe('traced');
    expect(consumerSpan?.name).toBe('process headstart.events.registry.checkpoint_registered');
    expect(consumerSpan?.spanContext().traceId).toBe(rootTraceId);
    expect(consumerSpan?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(consumerSpan?.links[0]?.context.spanId).toBe(producer?.spanContext().spanId);
    expect(consumerSpan?.attributes['messaging.consumer.group.name']).toBe('test-trace');
    expect(handlerTraceId).toBe(rootTraceId);
    expect(activeIsConsumerSpan).toBe(true);
  });

  it('lets an outbox relay publish stored bytes later as part of the trace that wrote the row', async () => {
    exporter.reset();
    await using env = await startTestEnv();
    const seen: string[] = [];
    const consumer = await env.bus.consume(
      defineEventConsumer({
        name: 'test-outbox-trace',
        description: 'test',
        events: ['versionCreated'],
        ackWaitMs: 5_000,
        maxDeliver: 2,
        backoffMs: [],
      }),
      async (event, ctx) => {
        if (event.type === 'versionCreated')
          seen.push(`${event.message.version?.id}@${ctx.span.spanContext().traceId}`);
      },
    );
    // The commit: the row holds the encoded event and the trace headers of the request that wrote it.
    const row = trace.getTracer('test').startActiveSpan('registry.commit', (span) => {
      const r = {
        eventType: 'versionCreated' as const,
        data: encodeEvent('versionCreated', { version: sampleVersion('outboxed') }),
        trace: captureTraceHeaders(),
        traceId: span.spanContext().traceId,
      };
      span.end();
      return r;
    });
    expect(row.trace['traceparent']).toContain(row.traceId);
    // The relay, later, outside that context.
    const ack = await env.bus.publishEncoded(row.eventType, row.data, {
      msgId: 'outboxed',
      parent: traceContextFromHeaders(row.trace),
    });
    expect(ack.duplicate).toBe(false);
    await waitFor(() => consumer.stats.acked === 1);
    expect(seen).toEqual([`outboxed@${row.traceId}`]);
    const producer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER);
    expect(producer?.spanContext().traceId).toBe(row.traceId);
  });
});
