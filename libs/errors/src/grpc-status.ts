import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { Code, HeadstartError } from './headstart-error';
import { writeDetailMetadata } from './detail-metadata';

/**
 * The error to hand a grpc-js server callback (or emit on a server stream): the status code, the
 * message as status details and the error's details as `headstart-detail-<key>` trailing metadata.
 * Anything that is not a HeadstartError becomes INTERNAL with a generic message.
 */
export function toServiceError(err: unknown): ServiceError {
  const error = HeadstartError.from(err);
  const metadata = error.details === undefined ? new Metadata() : writeDetailMetadata(error.details);
  const serviceError = new Error(error.message) as ServiceError;
  serviceError.name = 'ServiceError';
  serviceError.code = error.code;
  serviceError.details = error.message;
  serviceError.metadata = metadata;
  return serviceError;
}

/**
 * The HeadstartError behind an error a grpc-js client received: code, status details as the message,
 * details read back from the trailing metadata. Not a ServiceError: same as `HeadstartError.from`.
 */
export function fromServiceError(err: unknown): HeadstartError {
  return HeadstartError.from(err);
}

/** True for codes worth retrying with backoff (the server may succeed next time). */
export function isRetryable(code: Code): boolean {
  return code === Code.UNAVAILABLE || code === Code.RESOURCE_EXHAUSTED || code === Code.ABORTED;
}
