// What every typed client (registry, ingest, pretrain, finetune) does around a grpc-js call: a deadline on each
// call, cancellation by AbortSignal, and every failure as a HeadstartError whose message says which
// server, where, and what to check. Each client names its server once (RemoteService) and wraps these.
import {
  credentials as grpcCredentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';

import {
  addressAdvice,
  cancelledError,
  deadlineFrom,
  isAborted,
  toClientError,
  type CallSettings,
  type ClientCallContext,
  type RemoteService,
} from './client-errors';
import { onAbort } from '@headstart/errors';
import { Code, HeadstartError } from '@headstart/errors';
import {
  callClientStream,
  callServerStream,
  type ClientStreamOpener,
  type ClientStreamSink,
  type ServerStreamOpener,
} from './client-streams';

/** A generated client's unary method, e.g. `registryClient.getVersion` (bound to its client). */
export type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary RPC as a promise, with a deadline, cancellation and errors as HeadstartError. */
export function callUnary<Req, Res>(
  invoke: UnaryInvoker<Req, Res>,
  request: Req,
  context: ClientCallContext,
  service: RemoteService,
  signal?: AbortSignal,
): Promise<Res> {
  if (isAborted(signal)) return Promise.reject(cancelledError(context));
  return new Promise<Res>((resolve, reject) => {
    let stopListening = (): void => undefined;
    const call = invoke(
      request,
      new Metadata(),
      { deadline: deadlineFrom(context.deadlineMs) },
      (error, response) => {
        stopListening();
        if (error === null) resolve(response);
        else reject(isAborted(signal) ? cancelledError(context) : toClientError(error, context, service));
      },
    );
    stopListening = onAbort(signal, () => call.cancel());
  });
}

/** Resolves when `client`'s channel is connected; UNAVAILABLE naming the server after `timeoutMs`. */
export function waitForServer(
  client: Client,
  address: string,
  timeoutMs: number,
  service: RemoteService,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.waitForReady(deadlineFrom(timeoutMs), (err) => {
      if (err === undefined || err === null) {
        resolve();
        return;
      }
      reject(
        new HeadstartError(
          Code.UNAVAILABLE,
          `${service.name} at ${address} did not become reachable within ${timeoutMs} ms: ${addressAdvice(service)}`,
          { cause: err },
        ),
      );
    });
  });
}

/** The calls above with the server named once: what a typed client's call.ts exports. */
export interface ClientCalls {
  toClientError(err: unknown, context: ClientCallContext): HeadstartError;
  callUnary<Req, Res>(
    invoke: UnaryInvoker<Req, Res>,
    request: Req,
    context: ClientCallContext,
    signal?: AbortSignal,
  ): Promise<Res>;
  callServerStream<Res, T>(
    open: ServerStreamOpener<Res>,
    consume: (messages: AsyncIterable<Res>) => Promise<T>,
    context: ClientCallContext,
    signal?: AbortSignal,
  ): Promise<T>;
  callClientStream<Req, Res>(
    open: ClientStreamOpener<Req, Res>,
    produce: (sink: ClientStreamSink<Req>) => Promise<void>,
    context: ClientCallContext,
    signal?: AbortSignal,
  ): Promise<Res>;
  /** Resolves once `client` is connected to the server at `address`; UNAVAILABLE after `timeoutMs`. */
  waitForServer(client: Client, address: string, timeoutMs: number): Promise<void>;
  /**
   * Builds the generated client (`Client`, e.g. `registry.RegistryServiceClient`) for `options` and
   * binds the calls to it, with the typed client's default deadlines unless the options set them.
   */
  connect<C extends Client>(
    Client: new (address: string, credentials: ChannelCredentials, options: ChannelOptions) => C,
    options: ClientConnectionOptions,
    defaults: ClientDeadlines,
  ): ConnectedClient<C>;
}

/** How a typed client reaches its server (each client documents its default deadlines). */
export interface ClientConnectionOptions {
  /** host:port of the server. */
  address: string;
  /** Deadline of unary calls. */
  deadlineMs?: number;
  /** Deadline of streams (uploads, watches, downloads: the whole transfer). */
  streamDeadlineMs?: number;
  /** @default insecure */
  credentials?: ChannelCredentials;
  channelOptions?: ChannelOptions;
}

/** A client's default deadlines; a call's `deadlineMs` setting overrides them. */
export interface ClientDeadlines {
  /** Unary calls. */
  deadlineMs: number;
  /** Streams (uploads, watches, downloads). */
  streamDeadlineMs: number;
}

/** ClientCalls bound to one generated client: methods name the RPC, contexts come out of the settings. */
export interface ConnectedClient<C extends Client> {
  readonly grpcClient: C;
  readonly address: string;
  readonly deadlines: ClientDeadlines;
  /** The context of one call: its deadline is the setting's, else the client's unary or stream one. */
  context(method: string, settings?: CallSettings, stream?: boolean): ClientCallContext;
  /** `invoke` is the generated client's method (e.g. `grpcClient.getVersion`), called on that client. */
  unary<Req, Res>(
    method: string,
    invoke: UnaryInvoker<Req, Res>,
    request: Req,
    settings?: CallSettings,
  ): Promise<Res>;
  /** @param timeoutMs @default the client's unary deadline */
  waitForReady(timeoutMs?: number): Promise<void>;
}

export function clientCallsFor(service: RemoteService): ClientCalls {
  return {
    toClientError: (err, context) => toClientError(err, context, service),
    callUnary: (invoke, request, context, signal) => callUnary(invoke, request, context, service, signal),
    callServerStream: (open, consume, context, signal) =>
      callServerStream(open, consume, context, service, signal),
    callClientStream: (open, produce, context, signal) =>
      callClientStream(open, produce, context, service, signal),
    waitForServer: (client, address, timeoutMs) => waitForServer(client, address, timeoutMs, service),
    connect: (Client, options, defaults) => {
      const address = options.address;
      const deadlines: ClientDeadlines = {
        deadlineMs: options.deadlineMs ?? defaults.deadlineMs,
        streamDeadlineMs: options.streamDeadlineMs ?? defaults.streamDeadlineMs,
      };
      const grpcClient = new Client(
        address,
        options.credentials ?? grpcCredentials.createInsecure(),
        options.channelOptions ?? {},
      );
      const context = (method: string, settings?: CallSettings, stream = false): ClientCallContext => ({
        address,
        method,
        deadlineMs: settings?.deadlineMs ?? (stream ? deadlines.streamDeadlineMs : deadlines.deadlineMs),
      });
      return {
        grpcClient,
        address,
        deadlines,
        context,
        unary: (method, invoke, request, settings) =>
          callUnary(invoke.bind(grpcClient), request, context(method, settings), service, settings?.signal),
        waitForReady: (timeoutMs = deadlines.deadlineMs) =>
          waitForServer(grpcClient, address, timeoutMs, service),
      };
    },
  };
}
