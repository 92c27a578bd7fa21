import * as path from 'node:path';

import { captureTraceHeaders, connectEvents, defineEventConsumer } from '@headstart/events';
import { registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import { getTracer, startTelemetry, withSpan } from '@headstart/telemetry';
import { makeTempDir, startNatsServer, waitFor } from '@headstart/testing';

import { newVersionId } from '../domain/ids';
import { toVersionDraft } from '../domain/version-draft';
import { SqliteMetadataStore } from '../storage/sqlite/sqlite-metadata-store';
import { createBusPublisher } from './bus-publisher';
import { createOutboxRelay } from './outbox-relay';

describe('outbox relay and tracing', () => {
  it('publishes a row in the trace of the request that wrote it, however late', async () => {
    const telemetry = startTelemetry({ serviceName: 'registry-test', exporter: 'memory' });
    await using nats = await startNatsServer();
    await using dir = await makeTempDir('outbox-trace');
    const logger = createLogger({ name: 'outbox-trace-test', level: 'fatal' });
    const store = SqliteMetadataStore.open({
      file: path.join(dir.path, 'registry.db'),
      traceHeaders: () => captureTraceHeaders(),
    });
    const publisher = createBusPublisher({
      logger,
      connect: () => connectEvents({ servers: nats.url, name: 't' }),
    });
    const relay = createOutboxRelay({ store, publish: publisher.publish, logger, pollIntervalMs: 100 });
    const reader = await connectEvents({ servers: nats.url, name: 'reader' });
    try {
      const tracer = getTracer('test');
      const { traceId, versionId } = await withSpan(tracer, 'CreateVersion request', {}, async (span) => {
        const { version } = await store.commitVersion({
          id: newVersionId(),
          draft: toVersionDraft(registry.VersionMetadata.fromPartial({ modelName: 'traced', kind: 1 }), 100),
          blob: { sha256: 'c'.repeat(64), size: 1 },
          createdAt: new Date(),
        });
        return { traceId: span.spanContext().traceId, versionId: version.id };
      });
      const [row] = await store.pendingOutbox(10);
      expect(row?.trace['traceparent']).toContain(traceId);

      // The relay runs outside any request: the publish must still join the request's trace.
      relay.start();
      await waitFor(async () => (await store.countPendingOutbox()) === 0, { message: 'row published' });
      const headers: Record<string, string>[] = [];
      const consumer = await reader.consume(
        defineEventConsumer({
          name: 'trace-reader',
          description: 'test',
          events: ['versionCreated'],
          ackWaitMs: 10_000,
          maxDeliver: 3,
          backoffMs: [100],
        }),
        async (event, ctx) => {
          if (event.message.version?.id === versionId) headers.push({ ...ctx.headers });
        },
      );
      await waitFor(() => headers.length > 0, { message: 'the traced event' });
      await consumer.stop();
      expect(headers[0]?.['traceparent']).toContain(traceId);
      const producer = telemetry.memoryExporter
        ?.getFinishedSpans()
        .find((s) => s.attributes['messaging.message.id'] === versionId);
      expect(producer?.spanContext().traceId).toBe(traceId);
    } finally {
      await relay.stop();
      await publisher.close();
      await reader.close();
      await store.close();
      await telemetry.shutdown();
    }
  });
});
