// What every typed client (registry, ingest, finetune) does around a grpc-js call: a deadline on each
// call, cancellation by AbortSignal, and every failure as a HeadstartError whose message says which
// server, where, and what to check. Each client names its server once (RemoteService) and wraps these.
import {
  Metadata,
  type CallOptions,
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';

import { Code, HeadstartError } from './headstart-error';

/** Per-call settings every client method accepts. */
export interface CallSettings {
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
}

/** What an error message needs to tell the caller where things went wrong. */
export interface ClientCallContext {
  /** host:port the client talks to. */
  address: string;
  /** RPC name, e.g. `GetVersion`. */
  method: string;
  deadlineMs: number;
}

/** How a client's error messages name its server. */
export interface RemoteService {
  /** e.g. `the registry`, `the ingest service`. */
  name: string;
  /**
   * Added to a deadline error, after the server's own message, e.g. "raise the deadline or check the
   * registry's health". Without it the message ends at the deadline.
   */
  deadlineAdvice?: string;
}

const ADDRESS_ADVICE = 'check that it is running and that the address is right';

/** grpc-js appends an empty "Resolution note:" to connection errors; it only adds noise. */
function tidy(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, '');
}

/** A gRPC status as grpc-js reports it (any numeric code: HeadstartError.from judges the value). */
function isGrpcStatus(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { code?: unknown; details?: unknown; metadata?: unknown };
  return (
    typeof candidate.code === 'number' &&
    typeof candidate.details === 'string' &&
    candidate.metadata instanceof Metadata
  );
}

/**
 * The HeadstartError for anything a call failed with. Server errors keep their code, message and
 * details; transport failures (UNAVAILABLE, DEADLINE_EXCEEDED) get a message that names the server and
 * says what to check; a local failure (file system, a throwing callback) keeps its own message.
 */
export function toClientError(
  err: unknown,
  context: ClientCallContext,
  service: RemoteService,
): HeadstartError {
  if (!(err instanceof HeadstartError) && !isGrpcStatus(err)) {
    return new HeadstartError(Code.UNKNOWN, `${context.method} failed locally: ${String(err)}`, {
      cause: err,
    });
  }
  const error = HeadstartError.from(err);
  const options = { cause: err, ...(error.details === undefined ? {} : { details: error.details }) };
  const where = `${service.name} at ${context.address}`;
  switch (error.code) {
    case Code.UNAVAILABLE:
      return new HeadstartError(
        Code.UNAVAILABLE,
        `${where} is unavailable (${tidy(error.message)}): ${ADDRESS_ADVICE}`,
        options,
      );
    case Code.DEADLINE_EXCEEDED:
      return new HeadstartError(
        Code.DEADLINE_EXCEEDED,
        `${context.method} on ${where} did not finish within ${context.deadlineMs} ms` +
          (service.deadlineAdvice === undefined ? '' : ` (${error.message}); ${service.deadlineAdvice}`),
        options,
      );
    default:
      return error;
  }
}

/** A function, so TypeScript does not narrow `aborted` across awaits. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export function cancelledError(context: ClientCallContext): HeadstartError {
  return new HeadstartError(Code.CANCELLED, `${context.method} was cancelled by the caller`);
}

/** The call deadline `deadlineMs` from now. */
export function deadlineFrom(deadlineMs: number): Date {
  return new Date(Date.now() + deadlineMs);
}

/** Runs `onAbortFn` when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, onAbortFn: () => void): () => void {
  if (signal === undefined) return () => undefined;
  signal.addEventListener('abort', onAbortFn, { once: true });
  return () => signal.removeEventListener('abort', onAbortFn);
}

/** A generated client's unary method, e.g. `registryClient.getVersion` (bound to its client). */
export type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary RPC as a promise, with a deadline, cancellation and errors as HeadstartError. */
export function callUnary<Req, Res>(
  invoke: UnaryInvoker<Req, Res>,
  request: Req,
  context: ClientCallContext,
  service: RemoteService,
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
        if (error === null) resolve(response);
        else reject(isAborted(signal) ? cancelledError(context) : toClientError(error, context, service));
      },
    );
    stopListening = onAbort(signal, () => call.cancel());
  });
}

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
  open: (options: Partial<CallOptions>) => ClientReadableStream<Res>,
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

/** Resolves when `client`'s channel is connected; UNAVAILABLE naming the server after `timeoutMs`. */
export function waitForServer(
  client: Client,
  address: string,
  timeoutMs: number,
  service: RemoteService,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.waitForReady(deadlineFrom(timeoutMs), (err) => {
      if (err === undefined || err === null) {
        resolve();
        return;
      }
      reject(
        new HeadstartError(
          Code.UNAVAILABLE,
          `${service.name} at ${address} did not become reachable within ${timeoutMs} ms: ${ADDRESS_ADVICE}`,
          { cause: err },
        ),
      );
    });
  });
}

/** The calls above with the server named once: what a typed client's call.ts exports. */
export interface ClientCalls {
  toClientError(err: unknown, context: ClientCallContext): HeadstartError;
  callUnary<Req, Res>(
    invoke: UnaryInvoker<Req, Res>,
    request: Req,
    context: ClientCallContext,
    signal?: AbortSignal,
  ): Promise<Res>;
  callServerStream<Res, T>(
    open: (options: Partial<CallOptions>) => ClientReadableStream<Res>,
    consume: (messages: AsyncIterable<Res>) => Promise<T>,
    context: ClientCallContext,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Resolves once `client` is connected to the server at `address`; UNAVAILABLE after `timeoutMs`. */
  waitForServer(client: Client, address: string, timeoutMs: number): Promise<void>;
  /** The calls of one generated client talking to `address`, with its default deadlines. */
  forClient(client: Client, address: string, deadlines: ClientDeadlines): BoundClientCalls;
}

/** A client's default deadlines; a call's `deadlineMs` setting overrides them. */
export interface ClientDeadlines {
  /** Unary calls. */
  deadlineMs: number;
  /** Streams (uploads, watches, downloads). */
  streamDeadlineMs: number;
}

/** ClientCalls bound to one generated client: methods name the RPC, contexts come out of the settings. */
export interface BoundClientCalls {
  /** The context of one call: its deadline is the setting's, else the client's unary or stream one. */
  context(method: string, settings?: CallSettings, stream?: boolean): ClientCallContext;
  /** `invoke` is the generated client's method (e.g. `grpcClient.getVersion`), called on that client. */
  unary<Req, Res>(
    method: string,
    invoke: UnaryInvoker<Req, Res>,
    request: Req,
    settings?: CallSettings,
  ): Promise<Res>;
  /** @param timeoutMs @default the client's unary deadline */
  waitForReady(timeoutMs?: number): Promise<void>;
}

export function clientCallsFor(service: RemoteService): ClientCalls {
  return {
    toClientError: (err, context) => toClientError(err, context, service),
    callUnary: (invoke, request, context, signal) => callUnary(invoke, request, context, service, signal),
    callServerStream: (open, consume, context, signal) =>
      callServerStream(open, consume, context, service, signal),
    waitForServer: (client, address, timeoutMs) => waitForServer(client, address, timeoutMs, service),
    forClient: (client, address, deadlines) => {
      const context = (method: string, settings?: CallSettings, stream = false): ClientCallContext => ({
        address,
        method,
        deadlineMs: settings?.deadlineMs ?? (stream ? deadlines.streamDeadlineMs : deadlines.deadlineMs),
      });
      return {
        context,
        unary: (method, invoke, request, settings) =>
          callUnary(invoke.bind(client), request, context(method, settings), service, settings?.signal),
        waitForReady: (timeoutMs = deadlines.deadlineMs) =>
          waitForServer(client, address, timeoutMs, service),
      };
    },
  };
}
