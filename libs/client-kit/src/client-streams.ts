// Streaming calls of the typed clients, with the deadline, cancellation and error mapping of unary ones.
import type { CallOptions, ClientReadableStream, ClientWritableStream, ServiceError } from '@grpc/grpc-js';

import {
  cancelledError,
  deadlineFrom,
  isAborted,
  toClientError,
  type ClientCallContext,
  type RemoteService,
} from './client-errors';
import { onAbort } from '@headstart/errors';

/** Starts a server-streaming call with the given call options, e.g. `(o) => client.watchJob(req, md, o)`. */
export type ServerStreamOpener<Res> = (options: Partial<CallOptions>) => ClientReadableStream<Res>;

/** Starts a client-streaming call with the given call options and answer callback. */
export type ClientStreamOpener<Req, Res> = (
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientWritableStream<Req>;

/**
 * One server-streaming RPC: `open` starts it with the call options (deadline), `consume` reads the
 * messages. Cancelled by `signal`, and always once `consume` is done (a consumer may stop early);
 * errors as HeadstartError.
 *
 * grpc-js reports a failed call by emitting 'error' on the stream, which crashes the process when
 * nobody listens: before the consumer starts reading, or after it left (the CANCELLED that follows the
 * final cancel). So the error is also taken here, from the start; and since grpc-js ends the stream
 * before it emits the error, a consumer that started late sees an ended stream: the error it missed is
 * thrown once it returns.
 */
export async function callServerStream<Res, T>(
  open: ServerStreamOpener<Res>,
  consume: (messages: AsyncIterable<Res>) => Promise<T>,
  context: ClientCallContext,
  service: RemoteService,
  signal?: AbortSignal,
): Promise<T> {
  if (isAborted(signal)) throw cancelledError(context);
  const call = open({ deadline: deadlineFrom(context.deadlineMs) });
  let failure: { error: unknown } | undefined;
  call.on('error', (error: unknown) => {
    failure ??= { error };
  });
  const stopListening = onAbort(signal, () => call.cancel());
  try {
    const result = await consume(call as AsyncIterable<Res>);
    if (failure !== undefined) throw failure.error;
    return result;
  } catch (err) {
    if (isAborted(signal)) throw cancelledError(context);
    throw toClientError(err, context, service);
  } finally {
    stopListening();
    call.cancel();
  }
}

/**
 * A `callServerStream` consumer for watch-style streams: `pick` takes the item out of each message
 * (messages without one are skipped), `onItem` sees every item; resolves with the last (undefined when
 * none came).
 */
export function followItems<M, T>(
  pick: (message: M) => T | undefined,
  onItem?: (item: T) => void,
): (messages: AsyncIterable<M>) => Promise<T | undefined> {
  return async (messages) => {
    let last: T | undefined;
    for await (const message of messages) {
      const item = pick(message);
      if (item === undefined) continue;
      last = item;
      onItem?.(item);
    }
    return last;
  };
}

/** Where a client-streaming call's producer writes its messages. */
export interface ClientStreamSink<Req> {
  /** True once the server has answered; before the end that is always a failure: stop writing. */
  readonly answered: boolean;
  /** Writes one message, then waits while the stream is full (until it drains or the call ends). */
  write(message: Req): Promise<void>;
}

type Outcome<Res> = { error: ServiceError } | { response: Res };

/**
 * One client-streaming RPC (an upload): `open` starts it with the call options (deadline) and the
 * callback given, `produce` writes the messages, honouring backpressure, and stops when the server has
 * answered early. What `produce` throws cancels the call and is thrown as it is (the caller's source
 * errors are its own to word); the server's error becomes a HeadstartError. Resolves with the response.
 */
export async function callClientStream<Req, Res>(
  open: ClientStreamOpener<Req, Res>,
  produce: (sink: ClientStreamSink<Req>) => Promise<void>,
  context: ClientCallContext,
  service: RemoteService,
  signal?: AbortSignal,
): Promise<Res> {
  if (isAborted(signal)) throw cancelledError(context);
  let settled: Outcome<Res> | undefined;
  let call!: ClientWritableStream<Req>;
  const finished = new Promise<Outcome<Res>>((resolve) => {
    call = open({ deadline: deadlineFrom(context.deadlineMs) }, (error, response) => {
      settled = error === null ? { response } : { error };
      resolve(settled);
    });
  });
  const drainedOrFinished = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const onDrain = (): void => resolve();
      call.once('drain', onDrain);
      void finished.then(() => {
        call.off('drain', onDrain);
        resolve();
      });
    });
  const sink: ClientStreamSink<Req> = {
    get answered() {
      return settled !== undefined;
    },
    write: async (message) => {
      if (!call.write(message)) await drainedOrFinished();
    },
  };
  const stopListening = onAbort(signal, () => call.cancel());
  try {
    try {
      await produce(sink);
    } catch (err) {
      call.cancel();
      throw err;
    }
    if (settled === undefined) call.end();
    const outcome = await finished;
    if ('error' in outcome) {
      if (isAborted(signal)) throw cancelledError(context);
      throw toClientError(outcome.error, context, service);
    }
    return outcome.response;
  } finally {
    stopListening();
  }
}
