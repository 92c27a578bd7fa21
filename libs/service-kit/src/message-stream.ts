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
 * A grpc-js client's cancel() closes its HTTP/2 stream with Node's Http2Stream.close(), which ends the
 * writable side (END_STREAM) before it sends RST_STREAM. The server can therefore see a clean end of
 * input first and the cancellation a moment later. Waiting two event-loop turns (so one I/O poll
 * happens in between) before reporting the end lets a RST that is already on the socket win; measured
 * on loopback, the cancellation always landed before the first turn. This narrows the window, it cannot
 * close it: a client that cancels after everything it wrote has been delivered and answered is, to the
 * server, a client that finished. Handlers that commit (uploads) should re-check `ctx.signal` right
 * before committing and, when the client declared a size or digest, verify it: that is the only airtight
 * guard against committing a prefix.
 */
async function settleCancellation(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
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
  // Node destroys a stream whose async iteration ends unless told not to; for a bidi call that would
  // kill the response side before the handler has sent its last messages and status.
  const iterator = stream.iterator({ destroyOnReturn: false }) as AsyncIterator<T>;
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
