import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';

/** Per-call settings every client method accepts. */
export interface CallSettings {
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
}

export interface CallContext {
  address: string;
  method: string;
  deadlineMs: number;
}

function isStatus(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const c = err as { code?: unknown; details?: unknown; metadata?: unknown };
  return typeof c.code === 'number' && typeof c.details === 'string' && c.metadata instanceof Metadata;
}

/** A HeadstartError for whatever a call failed with; transport failures say what to check. */
export function toClientError(err: unknown, context: CallContext): HeadstartError {
  if (!(err instanceof HeadstartError) && !isStatus(err)) {
    return new HeadstartError(Code.UNKNOWN, `${context.method} failed locally: ${String(err)}`, {
      cause: err,
    });
  }
  const error = HeadstartError.from(err);
  const options = { cause: err, ...(error.details === undefined ? {} : { details: error.details }) };
  if (error.code === Code.UNAVAILABLE) {
    return new HeadstartError(
      Code.UNAVAILABLE,
      `the finetune service at ${context.address} is unavailable ` +
        `(${error.message.replace(/\.?\s*Resolution note:\s*$/, '')}): check that it is running and that the address is right`,
      options,
    );
  }
  if (error.code === Code.DEADLINE_EXCEEDED) {
    return new HeadstartError(
      Code.DEADLINE_EXCEEDED,
      `${context.method} on the finetune service at ${context.address} did not finish within ${context.deadlineMs} ms`,
      options,
    );
  }
  return error;
}

export function cancelledError(context: CallContext): HeadstartError {
  return new HeadstartError(Code.CANCELLED, `${context.method} was cancelled by the caller`);
}

export function deadlineFrom(deadlineMs: number): Date {
  return new Date(Date.now() + deadlineMs);
}

/** Runs `fn` when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (signal === undefined) return () => undefined;
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary RPC as a promise, with a deadline, cancellation and HeadstartErrors. */
export function callUnary<Req, Res>(
  invoke: UnaryInvoker<Req, Res>,
  request: Req,
  context: CallContext,
  signal?: AbortSignal,
): Promise<Res> {
  if (signal?.aborted) return Promise.reject(cancelledError(context));
  return new Promise<Res>((resolve, reject) => {
    let stop = (): void => undefined;
    const call = invoke(
      request,
      new Metadata(),
      { deadline: deadlineFrom(context.deadlineMs) },
      (error, response) => {
        stop();
        if (error === null) resolve(response);
        else reject(signal?.aborted ? cancelledError(context) : toClientError(error, context));
      },
    );
    stop = onAbort(signal, () => call.cancel());
  });
}
