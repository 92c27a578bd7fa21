import { EventEmitter, once } from 'node:events';
import * as grpc from '@grpc/grpc-js';

import {
  clientCallsFor,
  followItems,
  isAborted,
  onAbort,
  toClientError,
  type ClientCallContext,
} from './client-calls';
import { Code, HeadstartError } from './headstart-error';
import { notFound } from './helpers';
import { toServiceError } from './grpc-status';

// A real grpc-js server with raw (Buffer) messages: the request's text picks the handler's behaviour.
const identity = (b: Buffer): Buffer => b;
const method = (path: string, responseStream: boolean) => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const definition = {
  echo: method('/test.Echo/Echo', false),
  count: method('/test.Echo/Count', true),
} satisfies grpc.ServiceDefinition;

interface EchoClient extends grpc.Client {
  echo: EchoUnary;
  count(
    request: Buffer,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
  ): grpc.ClientReadableStream<Buffer>;
}
type EchoUnary = (
  request: Buffer,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Buffer) => void,
) => grpc.ClientUnaryCall;

const EchoClient = grpc.makeGenericClientConstructor(definition, 'Echo') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => EchoClient;

/** Server-side events, so tests wait for what the server saw instead of sleeping. */
const seen = new EventEmitter();

function startServer(): Promise<{ server: grpc.Server; address: string }> {
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
      // 'N': N messages and the end; '-N': N messages and an error; '~N': N messages, then stays open.
      const text = call.request.toString();
      const n = Math.abs(Number(text.replace('~', '')));
      call.on('cancelled', () => seen.emit('stream-cancelled'));
      for (let i = 1; i <= n; i++) call.write(Buffer.from(String(i)));
      if (text.startsWith('-'))
        call.emit('error', toServiceError(new HeadstartError(Code.ABORTED, 'counter reset')));
      else if (!text.startsWith('~')) call.end();
    },
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve({ server, address: `127.0.0.1:${port}` }),
    ),
  );
}

/** An address nothing listens on: a port we bound and released. */
async function deadAddress(): Promise<string> {
  const { server, address } = await startServer();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return address;
}

const calls = clientCallsFor({ name: 'the echo service', deadlineAdvice: 'raise the deadline' });
const plainCalls = clientCallsFor({ name: 'the echo service' });

let server: grpc.Server;
let address: string;
let client: EchoClient;
const ctx = (method: string, deadlineMs = 5_000): ClientCallContext => ({ address, method, deadlineMs });

beforeAll(async () => {
  ({ server, address } = await startServer());
  client = new EchoClient(address, grpc.credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

async function failure(work: Promise<unknown>): Promise<HeadstartError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadstartError);
  return err as HeadstartError;
}

describe('callUnary', () => {
  it('resolves with the response', async () => {
    const response = await calls.callUnary(client.echo.bind(client), Buffer.from('hi'), ctx('Echo'));
    expect(response.toString()).toBe('echo hi');
  });

  it('keeps a server error as it was sent: code, message and details', async () => {
    const err = await failure(calls.callUnary(client.echo.bind(client), Buffer.from('missing'), ctx('Echo')));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toBe("model 'missing' not found");
    expect(err.details).toEqual({ name: 'missing' });
  });

  it('names the method, server, address and deadline when the deadline passes (with the advice if any)', async () => {
    const advised = await failure(
      calls.callUnary(client.echo.bind(client), Buffer.from('hang'), ctx('Echo', 50)),
    );
    expect(advised.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(advised.message).toMatch(
      new RegExp(
        `^Echo on the echo service at ${address} did not finish within 50 ms \\(.+\\); raise the deadline$`,
      ),
    );
    const plain = await failure(
      plainCalls.callUnary(client.echo.bind(client), Buffer.from('hang'), ctx('Echo', 50)),
    );
    expect(plain.message).toBe(`Echo on the echo service at ${address} did not finish within 50 ms`);
  });

  it('says which server is unavailable and what to check, without grpc-js noise', async () => {
    const dead = await deadAddress();
    const deadClient = new EchoClient(dead, grpc.credentials.createInsecure());
    try {
      const err = await failure(
        calls.callUnary(deadClient.echo.bind(deadClient), Buffer.from('hi'), {
          ...ctx('Echo'),
          address: dead,
        }),
      );
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toMatch(
        new RegExp(
          `^the echo service at ${dead} is unavailable \\(.+\\): check that it is running and that the address is right$`,
        ),
      );
      expect(err.message).not.toContain('Resolution note');
    } finally {
      deadClient.close();
    }
  });

  it('cancels the call when the signal aborts, and does not start one when it already has', async () => {
    const controller = new AbortController();
    const hanging = once(seen, 'hanging');
    const cancelled = once(seen, 'cancelled');
    const pending = calls.callUnary(
      client.echo.bind(client),
      Buffer.from('hang'),
      ctx('Echo'),
      controller.signal,
    );
    await hanging;
    controller.abort();
    const err = await failure(pending);
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.message).toBe('Echo was cancelled by the caller');
    await cancelled;

    let invoked = false;
    const never = calls.callUnary(
      (() => {
        invoked = true;
        throw new Error('must not be called');
      }) as unknown as EchoUnary,
      Buffer.from('hi'),
      ctx('Echo'),
      controller.signal,
    );
    expect((await failure(never)).code).toBe(Code.CANCELLED);
    expect(invoked).toBe(false);
  });
});

describe('callServerStream', () => {
  const readAll = async (messages: AsyncIterable<Buffer>): Promise<string[]> => {
    const out: string[] = [];
    for await (const message of messages) out.push(message.toString());
    return out;
  };

  it('hands the messages to the consumer and resolves with its result', async () => {
    const got = await calls.callServerStream(
      (options) => client.count(Buffer.from('3'), new grpc.Metadata(), options),
      readAll,
      ctx('Count'),
    );
    expect(got).toEqual(['1', '2', '3']);
  });

  it('turns a stream error into a HeadstartError', async () => {
    const err = await failure(
      calls.callServerStream(
        (options) => client.count(Buffer.from('-2'), new grpc.Metadata(), options),
        readAll,
        ctx('Count'),
      ),
    );
    expect(err.code).toBe(Code.ABORTED);
    expect(err.message).toBe('counter reset');
  });

  it('cancels the call once a consumer stops early', async () => {
    const cancelled = once(seen, 'stream-cancelled');
    const first = await calls.callServerStream(
      (options) => client.count(Buffer.from('~5'), new grpc.Metadata(), options),
      async (messages) => {
        for await (const message of messages) return message.toString();
        return undefined;
      },
      ctx('Count'),
    );
    expect(first).toBe('1');
    await cancelled;
  });

  it('absorbs the CANCELLED that follows when a consumer leaves before reading anything', async () => {
    const left = await calls.callServerStream(
      (options) => client.count(Buffer.from('~1'), new grpc.Metadata(), options),
      async () => 'left at once',
      ctx('Count'),
    );
    expect(left).toBe('left at once');
    // The call still works afterwards: nothing was left half-open or crashed.
    const again = await calls.callServerStream(
      (options) => client.count(Buffer.from('2'), new grpc.Metadata(), options),
      readAll,
      ctx('Count'),
    );
    expect(again).toEqual(['1', '2']);
  });

  it('throws the error of a call that failed before its consumer started reading', async () => {
    const err = await failure(
      calls.callServerStream(
        (options) => client.count(Buffer.from('-1'), new grpc.Metadata(), options),
        async (messages) => {
          // Busy elsewhere (opening a file, say) until the call has failed here too, then reads.
          // (Not events.once: it would reject on the call's 'error' and read nothing late.)
          await new Promise((resolve) => (messages as unknown as EventEmitter).once('status', resolve));
          return readAll(messages);
        },
        ctx('Count'),
      ),
    );
    expect(err.code).toBe(Code.ABORTED);
    expect(err.message).toBe('counter reset');
  });

  it('reports CANCELLED when the signal aborts a stream', async () => {
    const controller = new AbortController();
    const err = await failure(
      calls.callServerStream(
        (options) => client.count(Buffer.from('~0'), new grpc.Metadata(), options),
        async (messages) => {
          controller.abort();
          return readAll(messages);
        },
        ctx('Count'),
        controller.signal,
      ),
    );
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.message).toBe('Count was cancelled by the caller');
  });
});

describe('waitForServer', () => {
  it('resolves for a running server and names the server it could not reach', async () => {
    await calls.waitForServer(client, address, 5_000);
    const dead = await deadAddress();
    const deadClient = new EchoClient(dead, grpc.credentials.createInsecure());
    try {
      const err = await failure(calls.waitForServer(deadClient, dead, 100));
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toBe(
        `the echo service at ${dead} did not become reachable within 100 ms: check that it is running and that the address is right`,
      );
    } finally {
      deadClient.close();
    }
  });
});

describe('followItems', () => {
  it('reports every item of a watch stream and resolves with the last, skipping empty messages', async () => {
    const seenItems: number[] = [];
    const last = await calls.callServerStream(
      (options) => client.count(Buffer.from('4'), new grpc.Metadata(), options),
      // Odd counts stand for messages without an item.
      followItems(
        (message: Buffer) => (Number(message.toString()) % 2 === 0 ? Number(message.toString()) : undefined),
        (item) => seenItems.push(item),
      ),
      ctx('Count'),
    );
    expect(seenItems).toEqual([2, 4]);
    expect(last).toBe(4);
    const none = await calls.callServerStream(
      (options) => client.count(Buffer.from('1'), new grpc.Metadata(), options),
      followItems(() => undefined),
      ctx('Count'),
    );
    expect(none).toBeUndefined();
  });
});

describe('forClient', () => {
  it("gives each call the client's unary or stream deadline unless its settings override it", () => {
    const bound = calls.forClient(client, address, { deadlineMs: 1_000, streamDeadlineMs: 60_000 });
    expect(bound.context('Echo')).toEqual({ address, method: 'Echo', deadlineMs: 1_000 });
    expect(bound.context('Count', {}, true)).toEqual({ address, method: 'Count', deadlineMs: 60_000 });
    expect(bound.context('Count', { deadlineMs: 5 }, true).deadlineMs).toBe(5);
  });

  it('calls the generated method on its client, named in errors, and waits for the server', async () => {
    const bound = calls.forClient(client, address, { deadlineMs: 50, streamDeadlineMs: 60_000 });
    await bound.waitForReady();
    expect((await bound.unary('Echo', client.echo, Buffer.from('bound'))).toString()).toBe('echo bound');
    const err = await failure(bound.unary('Echo', client.echo, Buffer.from('hang')));
    expect(err.message).toMatch(/^Echo on the echo service at .+ did not finish within 50 ms/);
    const longer = await failure(bound.unary('Echo', client.echo, Buffer.from('hang'), { deadlineMs: 80 }));
    expect(longer.message).toMatch(/did not finish within 80 ms/);
  });
});

describe('toClientError', () => {
  const service = { name: 'the echo service' };

  it('keeps a local failure as UNKNOWN with its own message', () => {
    const err = toClientError(new Error('disk full'), ctx('Upload'), service);
    expect(err.code).toBe(Code.UNKNOWN);
    expect(err.message).toBe('Upload failed locally: Error: disk full');
  });

  it('passes a HeadstartError through, except transport codes, which it explains', () => {
    const domain = new HeadstartError(Code.FAILED_PRECONDITION, 'version is archived');
    expect(toClientError(domain, ctx('Get'), service)).toBe(domain);
    const unavailable = toClientError(
      new HeadstartError(Code.UNAVAILABLE, 'no connection'),
      ctx('Get'),
      service,
    );
    expect(unavailable.message).toBe(
      `the echo service at ${address} is unavailable (no connection): check that it is running and that the address is right`,
    );
  });
});

describe('isAborted and onAbort', () => {
  it('listen once and stop listening when asked', () => {
    expect(isAborted(undefined)).toBe(false);
    const controller = new AbortController();
    let calls = 0;
    const stop = onAbort(controller.signal, () => calls++);
    stop();
    controller.abort();
    expect(calls).toBe(0);
    expect(isAborted(controller.signal)).toBe(true);
    onAbort(undefined, () => calls++)();
  });
});
