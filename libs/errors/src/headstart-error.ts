import { status as Code } from '@grpc/grpc-js';
import { isServiceErrorLike, readDetailMetadata } from './detail-metadata';

export { Code };

/** Message used when an error we did not raise crosses a boundary: internals must not leak to callers. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

export interface HeadstartErrorOptions {
  /** The error that caused this one; kept for logs, never sent to callers. */
  cause?: unknown;
  /** Small machine-readable facts about the failure (e.g. `{ field: 'name' }`), sent to callers. */
  details?: Record<string, string>;
}

/**
 * The one error type that crosses service boundaries. Its code is a gRPC status code, so a domain
 * failure keeps its meaning all the way to the client (NOT_FOUND stays NOT_FOUND).
 */
export class HeadstartError extends Error {
  readonly code: Code;
  readonly details?: Record<string, string>;

  constructor(code: Code, message: string, options: HeadstartErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeadstartError';
    this.code = code;
    if (options.details !== undefined) this.details = { ...options.details };
  }

  /** Name of the code, e.g. `NOT_FOUND`. */
  get codeName(): string {
    return Code[this.code] ?? `CODE_${this.code}`;
  }

  /**
   * Turns anything thrown into a HeadstartError: a HeadstartError passes through, a gRPC ServiceError
   * keeps its code, message and details, anything else becomes INTERNAL with a generic message and the
   * original kept as `cause`.
   */
  static from(err: unknown): HeadstartError {
    if (err instanceof HeadstartError) return err;
    if (isServiceErrorLike(err)) {
      const details = readDetailMetadata(err.metadata);
      return new HeadstartError(err.code, err.details, {
        cause: err,
        ...(details === undefined ? {} : { details }),
      });
    }
    return new HeadstartError(Code.INTERNAL, INTERNAL_ERROR_MESSAGE, { cause: err });
  }
}

/** True when `err` is a HeadstartError, and (if given) carries `code`. */
export function isHeadstartError(err: unknown, code?: Code): err is HeadstartError {
  return err instanceof HeadstartError && (code === undefined || err.code === code);
}
