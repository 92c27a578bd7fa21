import type * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError, toServiceError } from '@headstart/errors';
import {
  createCallContext,
  type CallContext,
  type ContextHandle,
  type ServerStreamContext,
} from './call-context';
import {
  BIND_ENVIRONMENT,
  fallbackEnvironment,
  type Bindable,
  type HandlerEnvironment,
} from './handler-environment';
import { readMessages, writeMessage } from './message-stream';

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (request: Req, ctx: ServerStreamContext<Res>) => Promise<void>;
export type ClientStreamHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>;
export type BidiStreamHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  ctx: ServerStreamContext<Res>,
) => Promise<void>;

/** Codes that mean the server is at fault: logged as errors. The rest are the caller's business. */
const SERVER_FAULTS = new Set<Code>([Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS]);

/**
 * Maps what a handler threw to the status sent back, and logs it. A failure caused by the call being
 * cancelled (an AbortError from fs, a premature close) is reported with the signal's reason; an unknown
 * error is logged with its stack and sent as a generic INTERNAL.
 */
function failure(
  err: unknown,
  { ctx, aborted, abortReason }: ContextHandle,
  startedAt: number,
): grpc.ServiceError {
  const cause = !(err instanceof HeadstartError) && aborted() ? abortReason() : err;
  const known = cause instanceof HeadstartError;
  const status = toServiceError(cause);
  const fields = { code: Code[status.code], durationMs: Date.now() - startedAt };
  if (!known) ctx.logger.error({ ...fields, err }, 'rpc failed with an unexpected error');
  else if (SERVER_FAULTS.has(status.code)) ctx.logger.error({ ...fields, err }, 'rpc failed');
  else ctx.logger.debug({ ...fields, details: status.details }, 'rpc failed');
  return status;
}

/** Logged at debug only; checked on the service logger first so a quiet success builds no child logger. */
function succeeded({ ctx }: ContextHandle, env: HandlerEnvironment, startedAt: number): void {
  if (!env.logger.isLevelEnabled('debug')) return;
  ctx.logger.debug({ code: 'OK', durationMs: Date.now() - startedAt }, 'rpc done');
}

/** The call's abort reason when it was cancelled or passed its deadline while the handler ran. */
function throwIfAborted(handle: ContextHandle): void {
  // The client has been told DEADLINE_EXCEEDED or CANCELLED already; do not pretend otherwise.
  if (handle.aborted()) throw handle.abortReason();
}

/** A grpc-js handler that can also be bound to a server environment; usable directly as well. */
type KitHandler<H> = H & Bindable<H>;

function makeBindable<H extends (...args: never[]) => void>(
  build: (env: HandlerEnvironment) => H,
): KitHandler<H> {
  let unbound: H | undefined;
  const handler = ((...args: Parameters<H>) => {
    unbound ??= build(fallbackEnvironment());
    unbound(...args);
  }) as KitHandler<H>;
  handler[BIND_ENVIRONMENT] = build;
  return handler;
}

function run<T>(env: HandlerEnvironment, work: () => Promise<T>): Promise<T> {
  const settled = work();
  env.track(settled.catch(() => undefined));
  return settled;
}

/** Adapts `async (request, ctx) => response` to a grpc-js unary handler. */
export function unary<Req, Res>(handler: UnaryHandler<Req, Res>): KitHandler<grpc.handleUnaryCall<Req, Res>> {
  return makeBindable((env) => (call, callback) => {
    const startedAt = Date.now();
    const handle = createCallContext(call, env.logger);
    void run(env, async () => {
      try {
        const response = await handler(call.request, handle.ctx);
        throwIfAborted(handle);
        succeeded(handle, env, startedAt);
        callback(null, response);
      } catch (err) {
        callback(failure(err, handle, startedAt));
      } finally {
        handle.dispose();
      }
    });
  });
}

function endWithError(
  call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  status: grpc.ServiceError,
): void {
  if (call.cancelled || call.destroyed) return;
  call.emit('error', status);
}

/** Adapts `async (request, ctx) => { await ctx.send(msg) ... }` to a grpc-js server-streaming handler. */
export function serverStream<Req, Res>(
  handler: ServerStreamHandler<Req, Res>,
): KitHandler<grpc.handleServerStreamingCall<Req, Res>> {
  return makeBindable((env) => (call) => {
    const startedAt = Date.now();
    const handle = createCallContext(call, env.logger);
    const ctx = handle.ctx;
    // Added to the context itself (not a spread copy) so its lazy signal and logger stay lazy.
    const streamCtx: ServerStreamContext<Res> = Object.assign(ctx, {
      send: (message: Res) => writeMessage(call, message, ctx.signal),
    });
    void run(env, async () => {
      try {
        await handler(call.request, streamCtx);
        throwIfAborted(handle);
        succeeded(handle, env, startedAt);
        call.end();
      } catch (err) {
        endWithError(call, failure(err, handle, startedAt));
      } finally {
        handle.dispose();
      }
    });
  });
}

/** Adapts `async (requests, ctx) => response` (requests: async iterable) to a client-streaming handler. */
export function clientStream<Req, Res>(
  handler: ClientStreamHandler<Req, Res>,
): KitHandler<grpc.handleClientStreamingCall<Req, Res>> {
  return makeBindable((env) => (call, callback) => {
    const startedAt = Date.now();
    const handle = createCallContext(call, env.logger);
    const ctx = handle.ctx;
    void run(env, async () => {
      try {
        const response = await handler(readMessages<Req>(call, ctx.signal), ctx);
        throwIfAborted(handle);
        succeeded(handle, env, startedAt);
        callback(null, response);
      } catch (err) {
        callback(failure(err, handle, startedAt));
      } finally {
        handle.dispose();
      }
    });
  });
}

/** Adapts `async (requests, ctx) => { for await (...) await ctx.send(...) }` to a bidi handler. */
export function bidiStream<Req, Res>(
  handler: BidiStreamHandler<Req, Res>,
): KitHandler<grpc.handleBidiStreamingCall<Req, Res>> {
  return makeBindable((env) => (call) => {
    const startedAt = Date.now();
    const handle = createCallContext(call, env.logger);
    const ctx = handle.ctx;
    const streamCtx: ServerStreamContext<Res> = Object.assign(ctx, {
      send: (message: Res) => writeMessage(call, message, ctx.signal),
    });
    void run(env, async () => {
      try {
        await handler(readMessages<Req>(call, ctx.signal), streamCtx);
        throwIfAborted(handle);
        succeeded(handle, env, startedAt);
        call.end();
      } catch (err) {
        endWithError(call, failure(err, handle, startedAt));
      } finally {
        handle.dispose();
      }
    });
  });
}
