// How NATS failures of the job records reach callers: an outage as UNAVAILABLE (retryable) instead of an
// INTERNAL "internal error", and a leaderless moment of a replicated bucket ridden out with retries.
import { retryTransient } from '@headstart/client-kit';
import { Code, HeadstartError } from '@headstart/errors';

/** JetStream's "wrong last sequence" (10071): someone wrote the key since we read it. */
export function isConflict(err: unknown): boolean {
  const apiError = (err as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code === 10071 || /wrong last sequence/i.test(String((err as Error)?.message ?? err));
}

/** NATS codes of a server that is restarting, unreachable or not answering yet: worth a retry. */
const TRANSIENT_NATS_CODES = new Set([
  'TIMEOUT',
  'DISCONNECT',
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  '503',
  '408',
]);

/** A NATS failure as the callers' answer: UNAVAILABLE naming the bucket for an outage; others pass. */
export function natsFailure(err: unknown, bucket: string, records = 'job records'): unknown {
  if (err instanceof HeadstartError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && TRANSIENT_NATS_CODES.has(code)) {
    return new HeadstartError(
      Code.UNAVAILABLE,
      `the ${records} (NATS key-value bucket ${bucket}) are unavailable (${code}); retry`,
      { cause: err },
    );
  }
  return err;
}

/**
 * A moment without a JetStream leader: 503 (no responders) or a request timeout, e.g. while a replicated
 * bucket elects a new leader after a server died.
 */
function isLeaderless(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === '503' || code === 'TIMEOUT' || /\b(503|TIMEOUT|no responders)\b/i.test(String(err));
}

/** Runs `call`, trying again with a growing pause (50 ms … 1 s) while it fails for want of a leader. */
export function retryLeaderless<T>(call: () => Promise<T>, budgetMs: number): Promise<T> {
  return retryTransient(call, {
    boundMs: budgetMs,
    firstDelayMs: 50,
    maxDelayMs: 1_000,
    retryable: isLeaderless,
  });
}
