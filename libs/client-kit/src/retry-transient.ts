// Retrying a call whose server may answer if asked again (restarting, a dropped connection), for a bounded
// time, with exponential backoff; any other failure, or the bound, ends it at once. Only for calls that
// are safe to repeat (idempotent by key, or reads): a worker uses it so a registry or API restart costs
// seconds instead of the whole attempt.
import { Code, HeadstartError, isRetryable } from '@headstart/errors';

/** UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED or DEADLINE_EXCEEDED: it may succeed next time. */
export function isTransientError(err: unknown): boolean {
  return err instanceof HeadstartError && (isRetryable(err.code) || err.code === Code.DEADLINE_EXCEEDED);
}

export interface RetryTransientOptions {
  /** Give up (rethrow the last failure) once this long has passed since the first try. */
  boundMs: number;
  /** Backoff: `firstDelayMs · 2^attempt`, at most `maxDelayMs`. @default 100, 2,000 */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called once, at the first transient failure (log it). */
  onFirstFailure?: (err: Error) => void;
  /** Called before each wait (e.g. a heartbeat while the caller holds a lease). */
  beforeWait?: () => void;
  /** Stops waiting: the last failure is rethrown. */
  signal?: AbortSignal;
  /** Which failures are worth another try. @default isTransientError */
  retryable?: (err: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function retryTransient<T>(fn: () => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const deadline = Date.now() + options.boundMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = options.retryable ?? isTransientError;
      if (!retryable(err) || Date.now() >= deadline || options.signal?.aborted) throw err;
      if (attempt === 0) options.onFirstFailure?.(err as Error);
      options.beforeWait?.();
      await sleep(Math.min(options.maxDelayMs ?? 2_000, (options.firstDelayMs ?? 100) * 2 ** attempt));
    }
  }
}
