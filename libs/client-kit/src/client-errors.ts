// How a typed client's calls fail: every failure as a HeadstartError whose message says which server,
// where, and what to check; plus the deadline and cancellation pieces every call uses.
import { Metadata } from '@grpc/grpc-js';

import { Code, HeadstartError } from '@headstart/errors';

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
  /**
   * Where the caller set the address, for the advice when the server cannot be reached, e.g.
   * `--pretrain (or HEADSTART_PRETRAIN_ADDR)`. @default 'the address'
   */
  addressSource?: string;
}

/** What to check when `service` cannot be reached. */
export function addressAdvice(service: RemoteService): string {
  return `check that it is running and that ${service.addressSource ?? 'the address'} is right`;
}

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
        `${where} is unavailable (${tidy(error.message)}): ${addressAdvice(service)}`,
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
