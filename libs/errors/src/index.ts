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
export {
  callServerStream,
  callUnary,
  cancelledError,
  clientCallsFor,
  deadlineFrom,
  followItems,
  isAborted,
  onAbort,
  toClientError,
  waitForServer,
} from './client-calls';
export type {
  BoundClientCalls,
  CallSettings,
  ClientCallContext,
  ClientCalls,
  ClientDeadlines,
  RemoteService,
  UnaryInvoker,
} from './client-calls';
