// Promise and async-iterator shapes over grpc-js generated clients, with deadlines, cancellation and
// HeadstartErrors: what the pipeline needs from the pretrain and finetune APIs, nothing more.
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';

export interface CallOptions {
  /** @default 30 s for unary calls, 24 h for streams */
  deadlineMs?: number;
  signal?: AbortSignal;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

type StreamMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
) => grpc.ClientReadableStream<Res>;

export const UNARY_DEADLINE_MS = 30_000;
export const STREAM_DEADLINE_MS = 24 * 3_600_000;

function cancelled(what: string): HeadstartError {
  return new HeadstartError(Code.CANCELLED, `${what} was cancelled`);
}

/** One unary RPC of `client` as a promise. */
export function unaryCall<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  what: string,
  request: Req,
  options: CallOptions = {},
): Promise<Res> {
  if (options.signal?.aborted) return Promise.reject(cancelled(what));
  return new Promise<Res>((resolve, reject) => {
    const call = method.call(
      client,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + (options.deadlineMs ?? UNARY_DEADLINE_MS) },
      (error, response) => {
        options.signal?.removeEventListener('abort', abort);
        if (error) reject(options.signal?.aborted ? cancelled(what) : HeadstartError.from(error));
        else resolve(response);
      },
    );
    const abort = () => call.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Reads a server stream to its end, calling `onMessage` for each message; resolves with the last one
 * (undefined when the stream sent none).
 */
export async function readStream<Req, Res>(
  client: grpc.Client,
  method: StreamMethod<Req, Res>,
  what: string,
  request: Req,
  onMessage: (message: Res) => void,
  options: CallOptions = {},
): Promise<Res | undefined> {
  if (options.signal?.aborted) throw cancelled(what);
  const call = method.call(client, request, new grpc.Metadata(), {
    deadline: Date.now() + (options.deadlineMs ?? STREAM_DEADLINE_MS),
  });
  const abort = () => call.cancel();
  options.signal?.addEventListener('abort', abort, { once: true });
  let last: Res | undefined;
  try {
    for await (const message of call as AsyncIterable<Res>) {
      last = message;
      onMessage(message);
    }
  } catch (err) {
    throw options.signal?.aborted ? cancelled(what) : HeadstartError.from(err);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    call.cancel();
  }
  return last;
}
