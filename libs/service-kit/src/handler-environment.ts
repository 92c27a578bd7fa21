import { createLogger, type Logger } from './logger';

/** What a server gives the handlers it runs: its logger and a way to know which calls are in flight. */
export interface HandlerEnvironment {
  logger: Logger;
  /** Registers a running handler so shutdown can wait for its clean-up. */
  track(settled: Promise<unknown>): void;
}

/** Marks a handler made by `unary` & co, so `createService` can bind it to the server's environment. */
export const BIND_ENVIRONMENT: unique symbol = Symbol('headstart.bindEnvironment');

export interface Bindable<H> {
  [BIND_ENVIRONMENT](env: HandlerEnvironment): H;
}

let fallback: HandlerEnvironment | undefined;

/** For handlers used outside `createService` (e.g. added to a plain grpc.Server). */
export function fallbackEnvironment(): HandlerEnvironment {
  fallback ??= { logger: createLogger({ name: 'grpc' }), track: () => undefined };
  return fallback;
}

/** Replaces every kit handler of `implementation` by one bound to `env`; other handlers are kept as is. */
export function bindImplementation<I extends object>(implementation: I, env: HandlerEnvironment): I {
  const bound: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const bindable = handler as Partial<Bindable<unknown>> | undefined;
    bound[name] =
      typeof handler === 'function' && typeof bindable?.[BIND_ENVIRONMENT] === 'function'
        ? bindable[BIND_ENVIRONMENT](env)
        : handler;
  }
  return bound as I;
}
