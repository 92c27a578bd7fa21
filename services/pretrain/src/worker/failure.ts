// Which failures are worth another attempt. A run whose data or config is wrong fails the same way on
// every worker, so retrying it only burns deliveries; a registry or NATS hiccup is worth a retry (the
// next attempt resumes from the last checkpoint, so a retry costs at most checkpoint_every steps).
import { Code, HeadstartError } from '@headstart/errors';
import type { FailureVerdict } from '@headstart/jobs';
import { InvalidConfigError } from '@headstart/model';
import { ShardsFormatError } from '@headstart/shards';
import { CheckpointFormatError } from '@headstart/checkpoint';
import { SpecialTokensError } from '../training/special-tokens';
import { TrainingDivergedError } from '../training/train-loop';
import { TrainingDataError } from '../training/training-data';

/** Errors that no retry can fix, with the gRPC code the run record reports. */
export class PermanentRunError extends Error {
  override readonly name = 'PermanentRunError';
  constructor(
    message: string,
    readonly code: Code = Code.FAILED_PRECONDITION,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const PERMANENT_CODES = new Set([
  Code.INVALID_ARGUMENT,
  Code.NOT_FOUND,
  Code.FAILED_PRECONDITION,
  Code.ALREADY_EXISTS,
  Code.PERMISSION_DENIED,
  Code.OUT_OF_RANGE,
  Code.DATA_LOSS,
  Code.UNIMPLEMENTED,
]);

export function classifyFailure(err: unknown): FailureVerdict {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof PermanentRunError)
    return { permanent: true, code: Code[err.code] ?? 'FAILED_PRECONDITION', message };
  if (
    err instanceof SpecialTokensError ||
    err instanceof TrainingDataError ||
    err instanceof ShardsFormatError ||
    err instanceof CheckpointFormatError ||
    err instanceof InvalidConfigError
  ) {
    return { permanent: true, code: 'FAILED_PRECONDITION', message };
  }
  if (err instanceof TrainingDivergedError) return { permanent: true, code: 'OUT_OF_RANGE', message };
  if (err instanceof HeadstartError) {
    return { permanent: PERMANENT_CODES.has(err.code), code: err.codeName, message };
  }
  return { permanent: false, code: 'INTERNAL', message };
}
