import { Code, HeadstartError } from './headstart-error';

type Details = Record<string, string>;

function make(code: Code) {
  return (message: string, details?: Details, cause?: unknown): HeadstartError =>
    new HeadstartError(code, message, {
      ...(details === undefined ? {} : { details }),
      ...(cause === undefined ? {} : { cause }),
    });
}

/** The caller sent something malformed (bad name, missing field). Retrying will not help. */
export const invalidArgument = make(Code.INVALID_ARGUMENT);
export const notFound = make(Code.NOT_FOUND);
export const alreadyExists = make(Code.ALREADY_EXISTS);
/** The request is valid but the system is not in a state to perform it (e.g. a descendant exists). */
export const failedPrecondition = make(Code.FAILED_PRECONDITION);
export const resourceExhausted = make(Code.RESOURCE_EXHAUSTED);
export const permissionDenied = make(Code.PERMISSION_DENIED);
export const unauthenticated = make(Code.UNAUTHENTICATED);
/** A transient failure: the caller may retry with backoff. */
export const unavailable = make(Code.UNAVAILABLE);
/** A concurrency conflict (e.g. a lost compare-and-set); the caller may retry the whole operation. */
export const aborted = make(Code.ABORTED);
export const deadlineExceeded = make(Code.DEADLINE_EXCEEDED);
export const cancelled = make(Code.CANCELLED);
export const unimplemented = make(Code.UNIMPLEMENTED);
export const outOfRange = make(Code.OUT_OF_RANGE);
export const dataLoss = make(Code.DATA_LOSS);
/** A bug or broken invariant on our side; the message is sent to callers, so keep secrets out of it. */
export const internal = make(Code.INTERNAL);
