// A tiny service used by the kit's own tests: real handlers whose behaviour is picked by the request,
// with hooks that let a test see what the server side observed. Not part of the public API.
import { EventEmitter, once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { HeadstartError, notFound } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { service as healthService } from 'grpc-health-check';
import { defaultDeadline } from './client';
import { clientStream, serverStream, unary } from './handlers';
import { createService, type ServiceOptions } from './create-service';
import { createChannelOptions } from './client';
import { createLogger, type Logger } from './logger';

/** Server-side observations, emitted as events so tests wait for them instead of sleeping. */
export class Observations extends EventEmitter {
  wait<T = unknown>(event: string): Promise<T> {
    return once(this, event).then(([value]) => value as T);
  }
}

function versionOf(name: string, version = 1): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({ id: `${name}-${version}`, modelName: name, version });
}

export function fixtureImplementation(seen: Observations): grpc.UntypedServiceImplementation {
  const implementation: Partial<registry.RegistryServiceServer> = {
    getVersion: unary(async (request, ctx) => {
      const name = request.ref?.name ?? '';
      seen.emit('getVersion', ctx);
      if (name === 'missing') throw notFound(`model '${name}' not found`, { name });
      if (name === 'crash') throw new Error('SQLITE_CORRUPT at /secret/path.db');
      if (name === 'slow') {
        await new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        );
      }
      if (name === 'look-late' && ctx.deadline !== undefined) {
        // Timers run in due order, so the kit's deadline timer has fired when this one does: the signal
        // is first asked for after the abort (it is built lazily and must still show it).
        await new Promise((resolve) => setTimeout(resolve, ctx.deadline!.getTime() - Date.now() + 20));
        seen.emit('lookedLate', { aborted: ctx.signal.aborted, reason: ctx.signal.reason as unknown });
      }
      return { version: versionOf(name) };
    }),
    downloadArtifact: serverStream(async (request, ctx) => {
      const name = request.ref?.name ?? '';
      await ctx.send({ payload: { $case: 'info', info: { versionId: name, sha256: '', size: 0 } } });
      try {
        if (name === 'fail-midway') throw notFound('artifact blob missing', { name });
        if (name === 'hang') {
          seen.emit('hanging');
          await new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
          );
        }
        const chunks = name === 'many' || name === 'endless' ? Number.MAX_SAFE_INTEGER : 0;
        const limit = name === 'many' ? 500 : chunks;
        for (let i = 0; i < limit; i++) {
          await ctx.send({ payload: { $case: 'chunk', chunk: Buffer.alloc(16 * 1024, i % 256) } });
        }
      } catch (err) {
        seen.emit('downloadAborted', err);
        throw err;
      }
    }),
    createVersion: clientStream(async (requests, ctx) => {
      let bytes = 0;
      let name = '';
      try {
        for await (const message of requests) {
          if (message.payload?.$case === 'metadata') name = message.payload.metadata.modelName;
          else if (message.payload?.$case === 'chunk') bytes += message.payload.chunk.length;
          seen.emit('chunk', bytes, name);
        }
      } catch (err) {
        seen.emit('uploadAborted', { err, aborted: ctx.signal.aborted, name });
        throw err;
      }
      seen.emit('uploadCompleted', { name, bytes });
      return { version: { ...versionOf(name), artifactSize: bytes }, deduplicated: false };
    }),
  };
  return implementation as grpc.UntypedServiceImplementation;
}

/** A logger that keeps its JSON lines in memory so tests can assert on them. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'kit-test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

export function isHeadstartError(value: unknown): value is HeadstartError {
  return value instanceof HeadstartError;
}

export type HealthClient = grpc.Client & {
  check(
    req: { service: string },
    opts: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, r?: { status: string }) => void,
  ): void;
  watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
};
export const HealthClientCtor = grpc.makeGenericClientConstructor(
  healthService as grpc.ServiceDefinition,
  'Health',
);

export function checkHealth(address: string, serviceName: string): Promise<string> {
  const health = new HealthClientCtor(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
  return new Promise<string>((resolve, reject) =>
    health.check({ service: serviceName }, { deadline: defaultDeadline(2000) }, (err, res) => {
      health.close();
      if (err) reject(err);
      else resolve(res?.status ?? 'missing');
    }),
  );
}

export async function startFixture(overrides: Partial<ServiceOptions> = {}) {
  const seen = new Observations();
  const { logger, lines } = memoryLogger();
  const service = await createService({
    name: 'kit-test',
    host: '127.0.0.1',
    port: 0,
    logger,
    services: [{ definition: registry.RegistryServiceService, implementation: fixtureImplementation(seen) }],
    ...overrides,
  });
  const client = new registry.RegistryServiceClient(
    service.address,
    grpc.credentials.createInsecure(),
    createChannelOptions(),
  );
  return { service, client, seen, lines };
}

export function getVersion(client: registry.RegistryServiceClient, name: string, deadlineMs = 5000) {
  return new Promise<registry.GetVersionResponse>((resolve, reject) =>
    client.getVersion(
      { ref: { name, selector: { $case: 'latest', latest: true } } },
      new grpc.Metadata(),
      { deadline: defaultDeadline(deadlineMs) },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
}
