import * as grpc from '@grpc/grpc-js';
import { Code, fromServiceError, invalidArgument } from '@headstart/errors';
import { defaultDeadline } from './client';
import { createService, type RunningService } from './create-service';
import { bidiStream } from './handlers';
import { memoryLogger } from './test-fixture';

// A raw-bytes echo service: bidi streaming is not in the Headstart protos yet.
const identity = (b: Buffer): Buffer => b;
const definition: grpc.ServiceDefinition = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

describe('bidiStream', () => {
  let service: RunningService;
  let client: grpc.Client;

  beforeAll(async () => {
    service = await createService({
      name: 'bidi-test',
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger().logger,
      reflection: false,
      services: [
        {
          definition,
          implementation: {
            echo: bidiStream<Buffer, Buffer>(async (requests, ctx) => {
              for await (const message of requests) {
                if (message.toString() === 'bad') throw invalidArgument('bad message', { index: 'x' });
                await ctx.send(Buffer.from(message.toString().toUpperCase()));
              }
            }),
          },
        },
      ],
    });
    client = new grpc.Client(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await service.shutdown();
  });

  function open(): grpc.ClientDuplexStream<Buffer, Buffer> {
    return client.makeBidiStreamRequest('/test.Echo/Echo', identity, identity, new grpc.Metadata(), {
      deadline: defaultDeadline(5000),
    });
  }

  it('answers each message as it arrives and ends when the client does', async () => {
    const call = open();
    const replies: string[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (b: Buffer) => replies.push(b.toString()));
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (const word of ['a', 'bc', 'def']) call.write(Buffer.from(word));
    call.end();
    await ended;
    expect(replies).toEqual(['A', 'BC', 'DEF']);
  });

  it('ends the call with the status of a thrown HeadstartError', async () => {
    const call = open();
    const failed = new Promise<unknown>((resolve) => call.on('error', resolve));
    call.on('data', () => undefined);
    call.write(Buffer.from('ok'));
    call.write(Buffer.from('bad'));
    const err = fromServiceError(await failed);
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.details).toEqual({ index: 'x' });
  });
});
