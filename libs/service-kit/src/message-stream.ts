import type { Readable, Writable } from 'node:stream';

/**
 * Waits for the next message or the abort, whichever comes first, without leaving a listener behind
 * on the signal (a long upload would otherwise pile up one per chunk).
 */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/*
 * Node's http2 ends the readable side of a stream the client reset (RST_STREAM), so grpc-js reports a
 * dropped client as a normal half-close first and as 'cancelled' only a few ticks later, once the
 * stream closes. Both happen in the same turn of the event loop, so waiting for the next turn tells a
 * real end of input from a drop: without this, a handler would commit a truncated upload.
 */
function settleCancellation(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The messages of a client stream. A client that drops or a deadline that passes ends the iteration
 * with the signal's reason (CANCELLED / DEADLINE_EXCEEDED) instead of hanging, so the handler's
 * `finally` blocks run and it can clean up. The end of the iteration means the client really finished
 * sending.
 */
export async function* readMessages<T>(
  stream: Readable,
  signal: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<T>;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    let result: IteratorResult<T>;
    try {
      result = await nextOrAbort(iterator, signal);
    } catch (err) {
      // grpc-js destroys the stream on cancel, which surfaces as a premature close: report why.
      throw signal.aborted ? signal.reason : err;
    }
    if (result.done) {
      await settleCancellation();
      if (signal.aborted) throw signal.reason;
      return;
    }
    yield result.value;
  }
}

/** Writes with backpressure: resolves at once if the buffer has room, otherwise on 'drain'. */
export async function writeMessage<T>(stream: Writable, message: T, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason;
  if (stream.write(message)) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeListener('drain', onDrain);
      stream.removeListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason);
    };
    const onClose = (): void => {
      cleanup();
      reject(signal.aborted ? signal.reason : new Error('stream closed before it drained'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
