import * as grpc from '@grpc/grpc-js';
import {
  Code,
  HeadstartError,
  INTERNAL_ERROR_MESSAGE,
  failedPrecondition,
  fromServiceError,
  invalidArgument,
  notFound,
  toServiceError,
} from './index';
import { decodeDetailKey, encodeDetailKey } from './detail-metadata';

describe('HeadstartError', () => {
  it('carries code, message, details and cause', () => {
    const cause = new Error('disk');
    const err = new HeadstartError(Code.NOT_FOUND, 'model "x" not found', { cause, details: { name: 'x' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.codeName).toBe('NOT_FOUND');
    expect(err.message).toBe('model "x" not found');
    expect(err.details).toEqual({ name: 'x' });
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('HeadstartError');
  });

  it('helpers build errors with the right code', () => {
    expect(invalidArgument('bad', { field: 'name' })).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      details: { field: 'name' },
    });
    expect(failedPrecondition('descendant exists').code).toBe(Code.FAILED_PRECONDITION);
  });

  it('from() passes HeadstartError through and hides unknown errors behind INTERNAL', () => {
    const known = notFound('gone');
    expect(HeadstartError.from(known)).toBe(known);
    const secret = new Error('password=hunter2 at /etc/db');
    const wrapped = HeadstartError.from(secret);
    expect(wrapped.code).toBe(Code.INTERNAL);
    expect(wrapped.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(wrapped.cause).toBe(secret);
    expect(HeadstartError.from('a string').code).toBe(Code.INTERNAL);
  });

  it('toServiceError never leaks the message of an unknown error', () => {
    const se = toServiceError(new TypeError('cannot read x of undefined'));
    expect(se.code).toBe(Code.INTERNAL);
    expect(se.details).toBe(INTERNAL_ERROR_MESSAGE);
  });

  it('detail keys survive escaping, including awkward ones', () => {
    for (const key of ['field', 'model_name', 'maxBytes', 'a b/ü', '__X_']) {
      const encoded = encodeDetailKey(key);
      expect(encoded).toMatch(/^[0-9a-z_.-]+$/);
      expect(decodeDetailKey(encoded)).toBe(key);
    }
  });
});

describe('toServiceError / fromServiceError over a real gRPC call', () => {
  const identity = {
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  };
  const definition: grpc.ServiceDefinition = {
    fail: { path: '/test.Errors/Fail', requestStream: false, responseStream: false, ...identity },
  };
  let server: grpc.Server;
  let client: grpc.Client;
  let thrown: unknown;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(definition, {
      fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
        callback(toServiceError(thrown)),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  function call(): Promise<unknown> {
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        '/test.Errors/Fail',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (err) => resolve(err),
      );
    });
  }

  it('a HeadstartError arrives with its code, message and details', async () => {
    thrown = new HeadstartError(Code.FAILED_PRECONDITION, 'version 3 has descendants', {
      details: { model_name: 'bert-tiny', descendantCount: '2', note: 'ünïcode & spaces' },
    });
    const received = fromServiceError(await call());
    expect(received).toBeInstanceOf(HeadstartError);
    expect(received.code).toBe(Code.FAILED_PRECONDITION);
    expect(received.message).toBe('version 3 has descendants');
    expect(received.details).toEqual({
      model_name: 'bert-tiny',
      descendantCount: '2',
      note: 'ünïcode & spaces',
    });
  });

  it('an unknown error arrives as INTERNAL with a generic message', async () => {
    thrown = new Error('SQLITE_CORRUPT: /var/lib/registry.db');
    const received = fromServiceError(await call());
    expect(received.code).toBe(Code.INTERNAL);
    expect(received.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(received.details).toBeUndefined();
  });

  it('HeadstartError.from on a client ServiceError keeps the code', async () => {
    thrown = notFound('no such model');
    const received = HeadstartError.from(await call());
    expect(received.code).toBe(Code.NOT_FOUND);
    expect(received.message).toBe('no such model');
  });
});
