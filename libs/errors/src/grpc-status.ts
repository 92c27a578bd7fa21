import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { Code, HeadstartError } from './headstart-error';
import { boundDetails, boundStatusMessage } from './bounded-status';
import { DETAIL_METADATA_PREFIX, encodeDetailKey, writeDetailMetadata } from './detail-metadata';

/**
 * The error to hand a grpc-js server callback (or emit on a server stream): the status code, the
 * message as status details and the error's details as `headstart-detail-<key>` trailing metadata.
 * Anything that is not a HeadstartError becomes INTERNAL with a generic message. Message and details
 * are bounded (bounded-status.ts), so no error can produce trailers a client would refuse.
 */
export function toServiceError(err: unknown): ServiceError {
  const error = HeadstartError.from(err);
  const metadata =
    error.details === undefined ? new Metadata() : writeDetailMetadata(boundDetails(error.details, wireSize));
  const message = boundStatusMessage(error.message);
  const serviceError = new Error(message) as ServiceError;
  serviceError.name = 'ServiceError';
  serviceError.code = error.code;
  serviceError.details = message;
  serviceError.metadata = metadata;
  return serviceError;
}

/** Size of one detail entry as written by writeDetailMetadata. */
function wireSize(key: string, value: string): number {
  return DETAIL_METADATA_PREFIX.length + encodeDetailKey(key).length + encodeURIComponent(value).length;
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
