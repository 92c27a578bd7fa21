import * as grpc from '@grpc/grpc-js';
import { traceContextFromEnv, traceContextInterceptor } from './trace-parent';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('TRACEPARENT', () => {
  it('reads a valid W3C traceparent (and tracestate) and ignores a malformed one', () => {
    expect(traceContextFromEnv({ TRACEPARENT: PARENT, TRACESTATE: 'k=v' })).toEqual({
      traceparent: PARENT,
      tracestate: 'k=v',
    });
    expect(traceContextFromEnv({ TRACEPARENT: ` ${PARENT.toUpperCase()} ` })).toEqual({
      traceparent: PARENT,
    });
    expect(traceContextFromEnv({})).toBeUndefined();
    expect(traceContextFromEnv({ TRACEPARENT: 'not-a-trace' })).toBeUndefined();
    expect(traceContextFromEnv({ TRACEPARENT: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` })).toBeUndefined();
    expect(traceContextFromEnv({ TRACEPARENT: `ff-${PARENT.slice(3)}` })).toBeUndefined();
  });

  it('is sent as metadata with every call, unless the call carries its own', async () => {
    const identity = (b: Buffer) => b;
    const definition = {
      echo: {
        path: '/test.Echo/Echo',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    };
    const seen: (string | undefined)[] = [];
    const server = new grpc.Server();
    server.addService(definition, {
      echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        seen.push(call.metadata.get('traceparent')[0] as string | undefined);
        callback(null, call.request);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const Client = grpc.makeGenericClientConstructor(definition, 'Echo');
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [traceContextInterceptor({ traceparent: PARENT })],
    });
    const call = (metadata: grpc.Metadata) =>
      new Promise<void>((resolve, reject) =>
        (client as unknown as Record<string, (...args: unknown[]) => void>)['echo']!(
          Buffer.from('x'),
          metadata,
          (err: Error | null) => (err ? reject(err) : resolve()),
        ),
      );
    try {
      await call(new grpc.Metadata());
      const own = new grpc.Metadata();
      own.set('traceparent', '00-11111111111111111111111111111111-2222222222222222-01');
      await call(own);
    } finally {
      client.close();
      server.forceShutdown();
    }
    expect(seen).toEqual([PARENT, '00-11111111111111111111111111111111-2222222222222222-01']);
  });
});
