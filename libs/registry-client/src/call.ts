import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';

/** Per-call settings every client method accepts. */
export interface CallSettings {
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
}

/** What an error message needs to tell the caller where things went wrong. */
export interface CallContext {
  address: string;
  /** RPC name, e.g. `GetVersion`. */
  method: string;
  deadlineMs: number;
}

/**
 * The HeadstartError for anything a call failed with. Server errors keep their code, message and
 * details; transport failures get a message that says what to check.
 */
export function toClientError(err: unknown, context: CallContext): HeadstartError {
  if (!(err instanceof HeadstartError) && !isGrpcStatus(err)) {
    // A local failure (file system, a throwing callback): keep its message, it is ours to show.
    return new HeadstartError(Code.UNKNOWN, `${context.method} failed locally: ${String(err)}`, {
      cause: err,
    });
  }
  const error = HeadstartError.from(err);
  const options = { cause: err, ...(error.details === undefined ? {} : { details: error.details }) };
  switch (error.code) {
    case Code.UNAVAILABLE:
      return new HeadstartError(
        Code.UNAVAILABLE,
        `the registry at ${context.address} is unavailable (${tidy(error.message)}): check that it is running ` +
          'and that the address is right',
        options,
      );
    case Code.DEADLINE_EXCEEDED:
      return new HeadstartError(
        Code.DEADLINE_EXCEEDED,
        `${context.method} on the registry at ${context.address} did not finish within ` +
          `${context.deadlineMs} ms (${error.message}); raise the deadline or check the registry's health`,
        options,
      );
    default:
      return error;
  }
}

/** grpc-js appends an empty "Resolution note:" to connection errors; it only adds noise. */
function tidy(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, '');
}

function isGrpcStatus(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { code?: unknown; details?: unknown; metadata?: unknown };
  return (
    typeof candidate.code === 'number' &&
    typeof candidate.details === 'string' &&
    candidate.metadata instanceof Metadata
  );
}

/** A function, so TypeScript does not narrow `aborted` across awaits. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export function cancelledError(context: CallContext): HeadstartError {
  return new HeadstartError(Code.CANCELLED, `${context.method} was cancelled by the caller`);
}

export function deadlineFrom(deadlineMs: number): Date {
  return new Date(Date.now() + deadlineMs);
}

/** Runs `onAbort` when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, onAbortFn: () => void): () => void {
  if (signal === undefined) return () => undefined;
  signal.addEventListener('abort', onAbortFn, { once: true });
  return () => signal.removeEventListener('abort', onAbortFn);
}

type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary RPC as a promise, with a deadline, cancellation and errors as HeadstartError. */
export function callUnary<Req, Res>(
  invoke: UnaryInvoker<Req, Res>,
  request: Req,
  context: CallContext,
  signal?: AbortSignal,
): Promise<Res> {
  if (isAborted(signal)) return Promise.reject(cancelledError(context));
  return new Promise<Res>((resolve, reject) => {
    let stopListening = (): void => undefined;
    const call = invoke(
      request,
      new Metadata(),
      { deadline: deadlineFrom(context.deadlineMs) },
      (error, response) => {
        stopListening();
        if (error !== null) {
          reject(isAborted(signal) ? cancelledError(context) : toClientError(error, context));
        } else {
          resolve(response);
        }
      },
    );
    stopListening = onAbort(signal, () => call.cancel());
  });
}
