import { Code, HeadstartError } from '@headstart/errors';

/** Exit statuses scripts can branch on. */
export const ExitCode = {
  OK: 0,
  /** Anything not listed below: the registry unreachable, an internal error, a failed transfer. */
  FAILURE: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  USAGE: 2,
  NOT_FOUND: 3,
  /** The request was understood and refused: bad input, a failed precondition, already exists. */
  REFUSED: 4,
} as const;

export function exitCodeFor(error: HeadstartError): number {
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
