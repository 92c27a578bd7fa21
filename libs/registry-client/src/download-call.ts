// A server-streaming call read through an async iterator. grpc-js reports a failed call by emitting
// 'error' on the stream, and an 'error' event nobody listens to crashes the process. Nobody listens when
// the call fails before its reader has started (NOT_FOUND arriving while the reader still opens its
// destination file) or after the reader has left (the CANCELLED that follows `cancel()` on an early
// exit). So the error is taken the moment it is emitted and handed to the reader instead: it becomes the
// throw of the reader's next (or current) read.
import type { ClientReadableStream } from '@grpc/grpc-js';

export interface GuardedCall<T> {
  /** The messages; iterating throws the call's error once the messages that came before it are read. */
  readonly messages: AsyncIterable<T>;
  /** Resolves when the call has a status (success or failure); never rejects. */
  readonly settled: Promise<void>;
  /** Cancels the call if it is still running; the CANCELLED error that follows is absorbed. */
  cancel(): void;
}

export function guardCall<T>(call: ClientReadableStream<T>): GuardedCall<T> {
  let failure: unknown;
  let failed = false;
  call.on('error', (err: unknown) => {
    if (failed) return;
    failed = true;
    failure = err;
  });
  const settled = new Promise<void>((resolve) => {
    call.once('status', () => resolve());
    call.once('error', () => resolve());
  });

  async function* read(): AsyncGenerator<T> {
    try {
      for await (const message of call as AsyncIterable<T>) yield message;
    } catch (err) {
      throw failed ? failure : err;
    }
    // grpc-js ends the stream before it emits the error: a call that failed before anyone read it
    // looks like an empty, finished stream to a reader that starts late.
    if (failed) throw failure;
  }

  return {
    messages: { [Symbol.asyncIterator]: () => read() },
    settled,
    cancel: () => call.cancel(),
  };
}
