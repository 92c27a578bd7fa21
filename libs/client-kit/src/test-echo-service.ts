// A real grpc-js service for the client-call tests (not exported): raw Buffer messages, whose text picks
// what the handler does, and server-side events so tests wait for what the server saw instead of sleeping.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';

import type { ClientCallContext } from './client-errors';
import { toServiceError } from '@headstart/errors';
import { Code, HeadstartError } from '@headstart/errors';
import { failedPrecondition, notFound } from '@headstart/errors';

const identity = (b: Buffer): Buffer => b;
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const definition = {
  echo: method('/test.Echo/Echo', false, false),
  count: method('/test.Echo/Count', false, true),
  sum: method('/test.Echo/Sum', true, false),
} satisfies grpc.ServiceDefinition;

export type EchoUnary = (
  request: Buffer,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Buffer) => void,
) => grpc.ClientUnaryCall;

export interface EchoClient extends grpc.Client {
  /** 'missing': NOT_FOUND with details; 'hang': no answer until cancelled; else `echo <text>`. */
  echo: EchoUnary;
  /** 'N': N messages and the end; '-N': N messages and an error; '~N': N messages, then stays open. */
  count(
    request: Buffer,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
  ): grpc.ClientReadableStream<Buffer>;
  /** Answers `<messages>:<bytes>` at the end; a message 'refuse' gets FAILED_PRECONDITION at once. */
  sum(
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response: Buffer) => void,
  ): grpc.ClientWritableStream<Buffer>;
}

export const EchoClient = grpc.makeGenericClientConstructor(definition, 'Echo') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => EchoClient;

/** 'hanging', 'cancelled' (unary), 'stream-cancelled' (count), 'sum-received', 'sum-cancelled' (sum). */
export const seen = new EventEmitter();

export function startEchoServer(): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  server.addService(definition, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const text = call.request.toString();
      if (text === 'missing')
        callback(toServiceError(notFound("model 'missing' not found", { name: 'missing' })));
      else if (text === 'hang') {
        seen.emit('hanging');
        call.on('cancelled', () => seen.emit('cancelled'));
      } else callback(null, Buffer.from(`echo ${text}`));
    },
    count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const text = call.request.toString();
      const n = Math.abs(Number(text.replace('~', '')));
      call.on('cancelled', () => seen.emit('stream-cancelled'));
      for (let i = 1; i <= n; i++) call.write(Buffer.from(String(i)));
      if (text.startsWith('-'))
        call.emit('error', toServiceError(new HeadstartError(Code.ABORTED, 'counter reset')));
      else if (!text.startsWith('~')) call.end();
    },
    sum: (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      let messages = 0;
      let bytes = 0;
      let answered = false;
      call.on('cancelled', () => seen.emit('sum-cancelled'));
      call.on('data', (message: Buffer) => {
        if (answered) return;
        if (message.toString() === 'refuse') {
          answered = true;
          callback(toServiceError(failedPrecondition('no more, thanks')));
          return;
        }
        messages += 1;
        bytes += message.length;
        seen.emit('sum-received');
      });
      call.on('end', () => {
        if (!answered) callback(null, Buffer.from(`${messages}:${bytes}`));
      });
    },
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve({ server, address: `127.0.0.1:${port}` }),
    ),
  );
}

/** An address nothing listens on: a port we bound and released. */
export async function deadAddress(): Promise<string> {
  const { server, address } = await startEchoServer();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return address;
}

/** The HeadstartError `work` rejects with (fails the test if it resolves or rejects with anything else). */
export async function failure(work: Promise<unknown>): Promise<HeadstartError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadstartError);
  return err as HeadstartError;
}

export interface EchoServerHandle {
  readonly address: string;
  readonly client: EchoClient;
  /** A call context at the server's address. @param deadlineMs @default 5000 */
  ctx(method: string, deadlineMs?: number): ClientCallContext;
}

/** Starts an echo server and a client for the test file (beforeAll), stops them after it (afterAll). */
export function useEchoServer(): EchoServerHandle {
  let server: grpc.Server | undefined;
  let started: { address: string; client: EchoClient } | undefined;
  beforeAll(async () => {
    const running = await startEchoServer();
    server = running.server;
    started = {
      address: running.address,
      client: new EchoClient(running.address, grpc.credentials.createInsecure()),
    };
  });
  afterAll(() => {
    started?.client.close();
    server?.forceShutdown();
  });
  const get = () => {
    if (started === undefined) throw new Error('the echo server starts in beforeAll');
    return started;
  };
  return {
    get address() {
      return get().address;
    },
    get client() {
      return get().client;
    },
    ctx: (method, deadlineMs = 5_000) => ({ address: get().address, method, deadlineMs }),
  };
}
