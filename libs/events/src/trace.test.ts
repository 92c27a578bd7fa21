import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { waitFor } from '@headstart/testing';
import { defineEventConsumer } from './topology';
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
});
