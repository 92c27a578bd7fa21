import type { Readable, Writable } from 'node:stream';

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
import { checkedMessages, requestCheckFor } from './request-bounds';
import { rejectUndecodable } from './undecodable';

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

/**
 * One call of any kind: `work` runs the handler with the call's context (tracked by the server, so
 * shutdown waits for it), then the outcome is logged and given to `ok` or, as a status, to `fail`. A
 * call cancelled or past its deadline fails with that, whatever the handler returned.
 */
function runCall<T>(
  env: HandlerEnvironment,
  call: Parameters<typeof createCallContext>[0],
  work: (ctx: CallContext) => Promise<T>,
  ok: (result: T) => void,
  fail: (status: grpc.ServiceError) => void,
): void {
  const startedAt = Date.now();
  const handle = createCallContext(call, env.logger);
  void run(env, async () => {
    try {
      const result = await work(handle.ctx);
      throwIfAborted(handle);
      succeeded(handle, env, startedAt);
      ok(result);
    } catch (err) {
      fail(failure(err, handle, startedAt));
    } finally {
      handle.dispose();
    }
  });
}

/**
 * The context of a call that sends messages: `send` is added to the context itself (not a spread copy)
 * so its lazy signal and logger stay lazy.
 */
function withSend<Res>(ctx: CallContext, call: Writable): ServerStreamContext<Res> {
  return Object.assign(ctx, { send: (message: Res) => writeMessage(call, message, ctx.signal) });
}

function endWithError(
  call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  status: grpc.ServiceError,
): void {
  if (call.cancelled || call.destroyed) return;
  call.emit('error', status);
}

/** The messages of a client stream, each checked against INPUT_LIMITS as the handler reads it. */
function checkedRequests<Req>(call: Readable, ctx: CallContext): AsyncIterable<Req> {
  return checkedMessages(readMessages<Req>(call, ctx.signal), requestCheckFor(ctx.method));
}

/** Adapts `async (request, ctx) => response` to a grpc-js unary handler. */
export function unary<Req, Res>(handler: UnaryHandler<Req, Res>): KitHandler<grpc.handleUnaryCall<Req, Res>> {
  return makeBindable(
    (env) => (call, callback) =>
      runCall(
        env,
        call,
        (ctx) => {
          rejectUndecodable(call.request);
          requestCheckFor(ctx.method)(call.request);
          return handler(call.request, ctx);
        },
        (response) => callback(null, response),
        (status) => callback(status),
      ),
  );
}

/** Adapts `async (request, ctx) => { await ctx.send(msg) ... }` to a grpc-js server-streaming handler. */
export function serverStream<Req, Res>(
  handler: ServerStreamHandler<Req, Res>,
): KitHandler<grpc.handleServerStreamingCall<Req, Res>> {
  return makeBindable(
    (env) => (call) =>
      runCall(
        env,
        call,
        (ctx) => {
          rejectUndecodable(call.request);
          requestCheckFor(ctx.method)(call.request);
          return handler(call.request, withSend<Res>(ctx, call));
        },
        () => call.end(),
        (status) => endWithError(call, status),
      ),
  );
}

/** Adapts `async (requests, ctx) => response` (requests: async iterable) to a client-streaming handler. */
export function clientStream<Req, Res>(
  handler: ClientStreamHandler<Req, Res>,
): KitHandler<grpc.handleClientStreamingCall<Req, Res>> {
  return makeBindable(
    (env) => (call, callback) =>
      runCall(
        env,
        call,
        (ctx) => handler(checkedRequests<Req>(call, ctx), ctx),
        (response) => callback(null, response),
        (status) => callback(status),
      ),
  );
}

/** Adapts `async (requests, ctx) => { for await (...) await ctx.send(...) }` to a bidi handler. */
export function bidiStream<Req, Res>(
  handler: BidiStreamHandler<Req, Res>,
): KitHandler<grpc.handleBidiStreamingCall<Req, Res>> {
  return makeBindable(
    (env) => (call) =>
      runCall(
        env,
        call,
        (ctx) => handler(checkedRequests<Req>(call, ctx), withSend<Res>(ctx, call)),
        () => call.end(),
        (status) => endWithError(call, status),
      ),
  );
}
