import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Code, fromServiceError, INTERNAL_ERROR_MESSAGE } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import type { RunningService } from './create-service';
import { checkHealth, getVersion, startFixture, type Observations } from './test-fixture';
import type { CallContext } from './call-context';

describe('createService', () => {
  let running: {
    service: RunningService;
    client: registry.RegistryServiceClient;
    seen: Observations;
    lines: Array<Record<string, unknown>>;
  };

  beforeAll(async () => {
    running = await startFixture();
  });
  afterAll(async () => {
    running.client.close();
    await running.service.shutdown('test done');
  });

  it('binds an ephemeral port and serves a handler', async () => {
    expect(running.service.port).toBeGreaterThan(0);
    expect(running.service.address).toBe(`127.0.0.1:${running.service.port}`);
    const res = await getVersion(running.client, 'bert-tiny');
    expect(res.version?.modelName).toBe('bert-tiny');
  });

  it('gives handlers a context with metadata, peer, method, deadline and a child logger', async () => {
    const ctxSeen = running.seen.wait<CallContext>('getVersion');
    await getVersion(running.client, 'ctx');
    const ctx = await ctxSeen;
    expect(ctx.method).toBe('/headstart.registry.v1.RegistryService/GetVersion');
    expect(ctx.peer).toMatch(/127\.0\.0\.1/);
    expect(ctx.deadline).toBeInstanceOf(Date);
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.metadata.get('user-agent').length).toBe(1);
  });

  it('answers health SERVING for the server and each service', async () => {
    expect(await checkHealth(running.service.address, '')).toBe('SERVING');
    expect(await checkHealth(running.service.address, 'headstart.registry.v1.RegistryService')).toBe(
      'SERVING',
    );
    running.service.setServing(false, 'headstart.registry.v1.RegistryService');
    expect(await checkHealth(running.service.address, 'headstart.registry.v1.RegistryService')).toBe(
      'NOT_SERVING',
    );
    running.service.setServing(true);
    expect(await checkHealth(running.service.address, 'headstart.registry.v1.RegistryService')).toBe(
      'SERVING',
    );
  });

  it('fails to start, naming the address, when the port is taken', async () => {
    await expect(startFixture({ port: running.service.port })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${running.service.port}`,
    );
  });

  it.each(['v1', 'v1alpha'] as const)(
    'lists the registry service through server reflection (%s)',
    async (version) => {
      const reflectionProto = path.join(
        path.dirname(require.resolve('@grpc/reflection')),
        `../proto/grpc/reflection/${version}/reflection.proto`,
      );
      const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto)) as unknown as {
        grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
      };
      const ServerReflection = loaded.grpc.reflection[version]?.ServerReflection;
      if (ServerReflection === undefined) throw new Error(`no ${version} reflection client`);
      const client = new ServerReflection(running.service.address, grpc.credentials.createInsecure());
      const call = (
        client as unknown as {
          serverReflectionInfo(): grpc.ClientDuplexStream<
            unknown,
            { listServicesResponse?: { service: Array<{ name: string }> } }
          >;
        }
      ).serverReflectionInfo();
      const response = new Promise<string[]>((resolve, reject) => {
        call.on('data', (msg) =>
          resolve((msg.listServicesResponse?.service ?? []).map((entry: { name: string }) => entry.name)),
        );
        call.on('error', reject);
      });
      call.write({ listServices: '*' });
      const names = await response;
      call.end();
      client.close();
      expect(names).toContain('headstart.registry.v1.RegistryService');
      expect(names).toContain('grpc.health.v1.Health');
      expect(names).not.toContain('headstart.ingest.v1.IngestService');
    },
  );

  it('sends a thrown HeadstartError with its code, message and details', async () => {
    const err = fromServiceError(await getVersion(running.client, 'missing').catch((e: unknown) => e));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toBe("model 'missing' not found");
    expect(err.details).toEqual({ name: 'missing' });
  });

  it('sends an unknown error as INTERNAL without leaking it, and logs it with its stack', async () => {
    const err = fromServiceError(await getVersion(running.client, 'crash').catch((e: unknown) => e));
    expect(err.code).toBe(Code.INTERNAL);
    expect(err.message).toBe(INTERNAL_ERROR_MESSAGE);
    const logged = running.lines.find((l) => l.msg === 'rpc failed with an unexpected error');
    expect(logged?.rpc).toBe('/headstart.registry.v1.RegistryService/GetVersion');
    expect(String((logged?.err as { stack?: string } | undefined)?.stack)).toContain('SQLITE_CORRUPT');
  });

  it('aborts the signal of a handler that outlives the client deadline', async () => {
    const ctxSeen = running.seen.wait<CallContext>('getVersion');
    const err = fromServiceError(await getVersion(running.client, 'slow', 150).catch((e: unknown) => e));
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    const ctx = await ctxSeen;
    if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    expect(fromServiceError(ctx.signal.reason).code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('shows an abort that came before the handler first looked at its signal', async () => {
    const looked = running.seen.wait<{ aborted: boolean; reason: unknown }>('lookedLate');
    const err = fromServiceError(await getVersion(running.client, 'look-late', 150).catch((e: unknown) => e));
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    const { aborted, reason } = await looked;
    expect(aborted).toBe(true);
    expect(fromServiceError(reason).code).toBe(Code.DEADLINE_EXCEEDED);
  });
});
