// @headstart/client-kit: what every typed client (registry, ingest, pretrain, finetune) does around a
// grpc-js call — deadlines, waiting for the server, cancellation by AbortSignal, unary and streaming
// calls, and every failure as a HeadstartError that names the server and what to check.
export { clientCallsFor } from './client-calls';
export type {
  ClientCalls,
  ClientConnectionOptions,
  ClientDeadlines,
  ConnectedClient,
  UnaryInvoker,
} from './client-calls';
export { cancelledError, deadlineFrom, isAborted, toClientError } from './client-errors';
export type { CallSettings, ClientCallContext, RemoteService } from './client-errors';
export { callClientStream, callServerStream, followItems } from './client-streams';
export type { ClientStreamOpener, ClientStreamSink, ServerStreamOpener } from './client-streams';
export { isTransientError, retryTransient } from './retry-transient';
export type { RetryTransientOptions } from './retry-transient';
