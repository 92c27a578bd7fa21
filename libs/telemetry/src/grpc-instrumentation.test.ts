import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';

const fixture = path.join(__dirname, '..', 'test-fixtures', 'grpc-spans.cjs');

interface Run {
  reply: string;
  spans: Array<{ name: string; kind: SpanKind; traceId: string; spanId: string; parentSpanId?: string }>;
}

async function run(mode: string): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, [fixture, mode], { timeout: 30_000 });
  return JSON.parse(stdout) as Run;
}

describe('gRPC instrumentation (in a plain node process)', () => {
  beforeAll(() => {
    if (!existsSync(path.join(__dirname, '..', 'dist', 'index.js'))) {
      throw new Error('build first: pnpm exec tsc --build libs/telemetry');
    }
  });

  for (const mode of ['telemetry-first', 'grpc-first']) {
    it(`traces a call as a client span and a child server span (${mode})`, async () => {
      const { reply, spans } = await run(mode);
      expect(reply).toBe('ping');
      const client = spans.find((s) => s.kind === SpanKind.CLIENT);
      const server = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(client?.name).toBe('grpc.test.Echo/Echo');
      expect(server?.name).toBe('grpc.test.Echo/Echo');
      expect(server?.traceId).toBe(client?.traceId);
      expect(server?.parentSpanId).toBe(client?.spanId);
    });
  }
});
