import { once, type EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';

import { clientCallsFor } from './client-calls';
import { followItems } from './client-streams';
import { Code } from '@headstart/errors';
import { failure, seen, useEchoServer } from './test-echo-service';

const calls = clientCallsFor({ name: 'the echo service' });
const echo = useEchoServer();

describe('callServerStream', () => {
  const readAll = async (messages: AsyncIterable<Buffer>): Promise<string[]> => {
    const out: string[] = [];
    for await (const message of messages) out.push(message.toString());
    return out;
  };

  it('hands the messages to the consumer and resolves with its result', async () => {
    const got = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('3'), new grpc.Metadata(), options),
      readAll,
      echo.ctx('Count'),
    );
    expect(got).toEqual(['1', '2', '3']);
  });

  it('turns a stream error into a HeadstartError', async () => {
    const err = await failure(
      calls.callServerStream(
        (options) => echo.client.count(Buffer.from('-2'), new grpc.Metadata(), options),
        readAll,
        echo.ctx('Count'),
      ),
    );
    expect(err.code).toBe(Code.ABORTED);
    expect(err.message).toBe('counter reset');
  });

  it('cancels the call once a consumer stops early', async () => {
    const cancelled = once(seen, 'stream-cancelled');
    const first = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('~5'), new grpc.Metadata(), options),
      async (messages) => {
        for await (const message of messages) return message.toString();
        return undefined;
      },
      echo.ctx('Count'),
    );
    expect(first).toBe('1');
    await cancelled;
  });

  it('absorbs the CANCELLED that follows when a consumer leaves before reading anything', async () => {
    const left = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('~1'), new grpc.Metadata(), options),
      async () => 'left at once',
      echo.ctx('Count'),
    );
    expect(left).toBe('left at once');
    // The call still works afterwards: nothing was left half-open or crashed.
    const again = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('2'), new grpc.Metadata(), options),
      readAll,
      echo.ctx('Count'),
    );
    expect(again).toEqual(['1', '2']);
  });

  it('throws the error of a call that failed before its consumer started reading', async () => {
    const err = await failure(
      calls.callServerStream(
        (options) => echo.client.count(Buffer.from('-1'), new grpc.Metadata(), options),
        async (messages) => {
          // Busy elsewhere (opening a file, say) until the call has failed here too, then reads.
          // (Not events.once: it would reject on the call's 'error' and read nothing late.)
          await new Promise((resolve) => (messages as unknown as EventEmitter).once('status', resolve));
          return readAll(messages);
        },
        echo.ctx('Count'),
      ),
    );
    expect(err.code).toBe(Code.ABORTED);
    expect(err.message).toBe('counter reset');
  });

  it('reports CANCELLED when the signal aborts a stream', async () => {
    const controller = new AbortController();
    const err = await failure(
      calls.callServerStream(
        (options) => echo.client.count(Buffer.from('~0'), new grpc.Metadata(), options),
        async (messages) => {
          controller.abort();
          return readAll(messages);
        },
        echo.ctx('Count'),
        controller.signal,
      ),
    );
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.message).toBe('Count was cancelled by the caller');
  });
});

describe('followItems', () => {
  it('reports every item of a watch stream and resolves with the last, skipping empty messages', async () => {
    const seenItems: number[] = [];
    const last = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('4'), new grpc.Metadata(), options),
      // Odd counts stand for messages without an item.
      followItems(
        (message: Buffer) => (Number(message.toString()) % 2 === 0 ? Number(message.toString()) : undefined),
        (item) => seenItems.push(item),
      ),
      echo.ctx('Count'),
    );
    expect(seenItems).toEqual([2, 4]);
    expect(last).toBe(4);
    const none = await calls.callServerStream(
      (options) => echo.client.count(Buffer.from('1'), new grpc.Metadata(), options),
      followItems(() => undefined),
      echo.ctx('Count'),
    );
    expect(none).toBeUndefined();
  });
});

describe('callClientStream', () => {
  const sum = (
    options: Partial<grpc.CallOptions>,
    callback: (e: grpc.ServiceError | null, r: Buffer) => void,
  ) => echo.client.sum(new grpc.Metadata(), options, callback);

  it('writes every message, waiting whenever the stream is full, and resolves with the answer', async () => {
    // 64 messages of 256 KiB: far more than the stream buffers, so writes must wait for it to drain.
    const chunk = Buffer.alloc(256 * 1024, 7);
    const answer = await calls.callClientStream<Buffer, Buffer>(
      sum,
      async (sink) => {
        for (let i = 0; i < 64; i++) await sink.write(chunk);
      },
      echo.ctx('Sum'),
    );
    expect(answer.toString()).toBe(`64:${64 * chunk.length}`);
  });

  it('lets the producer stop once the server has answered early, with its error', async () => {
    let written = 0;
    const err = await failure(
      calls.callClientStream<Buffer, Buffer>(
        sum,
        async (sink) => {
          await sink.write(Buffer.from('refuse'));
          // Keep offering until the refusal has arrived, as an upload reading a long source would.
          while (!sink.answered) {
            await sink.write(Buffer.alloc(64 * 1024));
            written += 1;
          }
        },
        echo.ctx('Sum'),
      ),
    );
    expect(err.code).toBe(Code.FAILED_PRECONDITION);
    expect(err.message).toBe('no more, thanks');
    expect(written).toBeLessThan(10_000);
  });

  it("cancels the call and throws the producer's own error as it is", async () => {
    const cancelled = once(seen, 'sum-cancelled');
    const sourceError = new Error('the source file vanished');
    const thrown = await calls
      .callClientStream<Buffer, Buffer>(
        sum,
        async (sink) => {
          const received = once(seen, 'sum-received');
          await sink.write(Buffer.from('first'));
          await received; // the call is under way on the server
          throw sourceError;
        },
        echo.ctx('Sum'),
      )
      .catch((e: unknown) => e);
    expect(thrown).toBe(sourceError);
    await cancelled;
  });

  it('reports CANCELLED when the signal aborts an upload', async () => {
    const controller = new AbortController();
    const err = await failure(
      calls.callClientStream<Buffer, Buffer>(
        sum,
        async (sink) => {
          await sink.write(Buffer.from('first'));
          controller.abort();
        },
        echo.ctx('Sum'),
        controller.signal,
      ),
    );
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.message).toBe('Sum was cancelled by the caller');
  });
});
