export { Code, HeadstartError, INTERNAL_ERROR_MESSAGE, isHeadstartError } from './headstart-error';
export type { HeadstartErrorOptions } from './headstart-error';
export {
  aborted,
  alreadyExists,
  cancelled,
  dataLoss,
  deadlineExceeded,
  failedPrecondition,
  internal,
  invalidArgument,
  notFound,
  outOfRange,
  permissionDenied,
  resourceExhausted,
  unauthenticated,
  unavailable,
  unimplemented,
} from './helpers';
export { fromServiceError, isRetryable, toServiceError } from './grpc-status';
export { DETAIL_METADATA_PREFIX, readDetailMetadata, writeDetailMetadata } from './detail-metadata';
export { onAbort } from './on-abort';
export {
  MAX_DETAIL_KEY_BYTES,
  MAX_DETAIL_VALUE_BYTES,
  MAX_DETAILS_WIRE_BYTES,
  MAX_STATUS_MESSAGE_BYTES,
  boundStatusMessage,
  boundText,
} from './bounded-status';
