import type * as grpc from '@grpc/grpc-js';
import { cancelled, deadlineExceeded } from '@headstart/errors';
import type { Logger } from './logger';

/** What every handler gets besides its request. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes or the server is forced down. Its `reason` is
   * a HeadstartError (CANCELLED or DEADLINE_EXCEEDED); rethrowing it gives the caller the right status. */
  signal: AbortSignal;
  /** The request metadata (headers). */
  metadata: grpc.Metadata;
  /** A child of the service logger with `rpc` (the method path) bound. */
  logger: Logger;
  /** The client address, e.g. `ipv4:127.0.0.1:51234`. */
  peer: string;
  /** Full method path, e.g. `/headstart.registry.v1.RegistryService/GetVersion`. */
  method: string;
  /** When the client's deadline passes, or undefined when it set none. */
  deadline: Date | undefined;
}

/** Context of handlers that stream responses. */
export interface ServerStreamContext<Res> extends CallContext {
  /** Writes one message; resolves once the transport can take more (backpressure), rejects with the
   * signal's reason as soon as the call is cancelled or past its deadline. */
  send(message: Res): Promise<void>;
}

/** The part of every grpc-js server call (unary or streaming) the context needs. */
interface ServerCall {
  readonly metadata: grpc.Metadata;
  readonly cancelled?: boolean;
  getPeer(): string;
  getPath(): string;
  getDeadline(): Date | number;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/*
 * A client that gives up because of its own deadline cancels a little before or after the server's timer
 * fires; a cancellation this close to the deadline is reported as DEADLINE_EXCEEDED.
 */
const DEADLINE_TOLERANCE_MS = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ContextHandle {
  ctx: CallContext;
  /** True once the call was cancelled or passed its deadline; does not build `ctx.signal`. */
  aborted(): boolean;
  /** Why the call was aborted (a CANCELLED or DEADLINE_EXCEEDED HeadstartError), or undefined. */
  abortReason(): unknown;
  /** Stops the deadline timer; call when the handler has settled. */
  dispose(): void;
}

function deadlineOf(call: ServerCall): Date | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

/**
 * The call's AbortController, built only when someone asks for the signal: most unary handlers never
 * do, and an AbortController with its signal is the costliest part of a call's context (measured with
 * bench/registry). An abort before then is remembered and applied when the signal is first built, so
 * handlers see exactly what an eager controller would show.
 */
class LazyAbort {
  private controller: AbortController | undefined;
  private pendingReason: unknown;
  private abortedEarly = false;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedEarly) this.controller.abort(this.pendingReason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller === undefined ? this.abortedEarly : this.controller.signal.aborted;
  }

  get reason(): unknown {
    if (this.controller === undefined) return this.abortedEarly ? this.pendingReason : undefined;
    return this.controller.signal.aborted ? (this.controller.signal.reason as unknown) : undefined;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    if (this.controller !== undefined) this.controller.abort(reason);
    else {
      this.abortedEarly = true;
      this.pendingReason = reason;
    }
  }
}

export function createCallContext(call: ServerCall, baseLogger: Logger): ContextHandle {
  const abort = new LazyAbort();
  const method = call.getPath();
  const deadline = deadlineOf(call);
  const abortForDeadline = (): void => abort.abort(deadlineExceeded(`deadline exceeded for ${method}`));
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    const remaining = deadline.getTime() - Date.now();
    if (remaining <= 0) abortForDeadline();
    else timer = setTimeout(abortForDeadline, Math.min(remaining, MAX_TIMER_MS));
  }
  const onCancelled = (): void => {
    if (abort.aborted) return;
    if (deadline !== undefined && Date.now() >= deadline.getTime() - DEADLINE_TOLERANCE_MS)
      abortForDeadline();
    else abort.abort(cancelled(`call ${method} cancelled by the client`));
  };
  call.on('cancelled', onCancelled);
  if (call.cancelled) onCancelled();
  // The child logger is built on first use too: a successful call at level info never logs.
  let logger: Logger | undefined;
  const ctx: CallContext = {
    get signal() {
      return abort.signal;
    },
    metadata: call.metadata,
    get logger() {
      logger ??= baseLogger.child({ rpc: method });
      return logger;
    },
    peer: call.getPeer(),
    method,
    deadline,
  };
  return {
    ctx,
    aborted: () => abort.aborted,
    abortReason: () => abort.reason,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
    },
  };
}
