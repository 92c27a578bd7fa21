import { Code, HeadstartError } from '@headstart/errors';
import { NO_STACK_REASON } from './no-stack';

/** Exit statuses scripts can branch on. */
export const ExitCode = {
  OK: 0,
  /** Anything not listed below: a service unavailable while up, an internal error, a failed transfer. */
  FAILURE: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  USAGE: 2,
  NOT_FOUND: 3,
  /** The request was understood and refused: bad input, a failed precondition, already exists. */
  REFUSED: 4,
  /** Nothing listens at the service's address: no stack is running there (`headstart up` starts one). */
  NO_STACK: 5,
} as const;

export function exitCodeFor(error: HeadstartError): number {
  if (error.details?.['reason'] === NO_STACK_REASON) return ExitCode.NO_STACK;
  switch (error.code) {
    case Code.NOT_FOUND:
      return ExitCode.NOT_FOUND;
    case Code.INVALID_ARGUMENT:
    case Code.FAILED_PRECONDITION:
    case Code.ALREADY_EXISTS:
    case Code.OUT_OF_RANGE:
      return ExitCode.REFUSED;
    default:
      return ExitCode.FAILURE;
  }
}

/** The stderr line for an error: the message and the gRPC code name, e.g. `... (NOT_FOUND)`. */
export function describeError(error: HeadstartError, json: boolean): string {
  if (json) {
    return `${JSON.stringify({ error: { code: error.codeName, message: error.message, details: error.details } })}\n`;
  }
  return `headstart: ${error.message} (${error.codeName})\n`;
}

/** Any thrown value as a HeadstartError, keeping the message of local failures (they are ours to show). */
export function asHeadstartError(err: unknown): HeadstartError {
  if (err instanceof HeadstartError) return err;
  return new HeadstartError(Code.UNKNOWN, err instanceof Error ? err.message : String(err), { cause: err });
}
