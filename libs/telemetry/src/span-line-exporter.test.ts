import { startTelemetry } from './start-telemetry';
import { getTracer, withSpan } from './tracing';

describe('console spans as lines', () => {
  it('writes one line a span: trace, id, parent, kind, duration, name, error and headstart.* attributes', async () => {
    const lines: string[] = [];
    const telemetry = startTelemetry({
      serviceName: 'lines-test',
      exporter: 'console',
      consoleFormat: 'lines',
      writeLine: (line) => lines.push(line),
    });
    try {
      const tracer = getTracer('test');
      const ids = await withSpan(tracer, 'outer', {}, async (outer) => {
        const inner = await withSpan(
          tracer,
          'inner',
          { attributes: { 'headstart.job.id': 'j1', 'other.key': 'x' } },
          (span) => span.spanContext(),
        );
        await expect(
          withSpan(tracer, 'failing', {}, () => {
            throw new Error('no luck');
          }),
        ).rejects.toThrow('no luck');
        return { outer: outer.spanContext(), inner };
      });
      await telemetry.forceFlush();
      const { traceId } = ids.outer;
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(
        new RegExp(
          `^span trace=${traceId} id=${ids.inner.spanId} parent=${ids.outer.spanId} internal \\d+\\.\\dms inner job\\.id=j1\\n$`,
        ),
      );
      expect(lines[1]).toMatch(/ internal \d+\.\dms failing ERROR no luck\n$/);
      expect(lines[2]).toMatch(
        new RegExp(`^span trace=${traceId} id=${ids.outer.spanId} parent=- internal `),
      );
    } finally {
      await telemetry.shutdown();
    }
  });
});
