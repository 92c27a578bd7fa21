import * as grpc from '@grpc/grpc-js';
import { bindImplementation, type HandlerEnvironment } from './handler-environment';
import { createHealth, createReflection, HEALTH_SERVICE_NAME, serviceNameOf } from './introspection';
import type { Logger } from './logger';
import { requestCheckFor } from './request-bounds';
import { tolerantDeserializer } from './undecodable';
import { drainServer, runShutdownHooks, settleHandlers, type ShutdownHook } from './shutdown';
import { openProbeListener, type ProbeListener } from './probe-listener';
import { serverSecurityOf } from './server-security';
import type { Role } from './auth/roles';
import type { SecuritySettings } from './security-config';

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_HANDLER_GRACE_MS = 5_000;

export interface ServiceRegistration {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
  /** The role each RPC needs, keyed like the implementation (an `RpcRoles` table). Required for every
   * RPC when authentication is on: the server refuses to start with an unclassified RPC. */
  roles?: Readonly<Record<string, Role>>;
}

export interface ServiceOptions {
  /** Service name for logs, e.g. `registry`. */
  name: string;
  /** Interface to listen on. @default '0.0.0.0' */
  host?: string;
  /** Port to listen on; 0 picks a free one (see `RunningService.port`). */
  port: number;
  services: ServiceRegistration[];
  logger: Logger;
  /** How long shutdown lets in-flight calls finish before cancelling them. @default 10000 */
  drainTimeoutMs?: number;
  /** How long shutdown keeps serving while health says NOT_SERVING, so probes and balancers notice
   * before the listener closes. @default 0 */
  notServingGraceMs?: number;
  /** After calls are cancelled, how long to wait for their handlers' clean-up before shutdown hooks
   * run (so a handler never sees its database closed under it). @default 5000 */
  handlerGraceMs?: number;
  /** Largest message the server accepts; bigger ones fail with RESOURCE_EXHAUSTED. @default 8 MiB */
  maxReceiveMessageBytes?: number;
  /** Largest message the server sends. @default 8 MiB */
  maxSendMessageBytes?: number;
  /** Serve grpc.reflection (v1 and v1alpha). @default true */
  reflection?: boolean;
  /** TLS (optionally mTLS) and authentication; unset: plaintext, no authentication. */
  security?: SecuritySettings;
  /** Extra grpc-js server options (keepalive and such). */
  serverOptions?: grpc.ServerOptions;
}

export interface RunningService {
  readonly name: string;
  /** The bound port (the real one when `port` was 0). */
  readonly port: number;
  /** `host:port` as bound. */
  readonly address: string;
  /** The plaintext health-only port for probes (security.probePort), when one is open. */
  readonly probePort: number | undefined;
  readonly server: grpc.Server;
  readonly logger: Logger;
  /** Sets health for the whole server and each service (or only `service` when given). */
  setServing(serving: boolean, service?: string): void;
  /** Runs `fn` after the server has stopped, in reverse order of registration (e.g. close NATS, then DB). */
  addShutdownHook(name: string, fn: () => Promise<void> | void): void;
  /** Health NOT_SERVING, drain (bounded), force, wait for handlers, run hooks. Idempotent: later calls
   * return the first call's promise. Rejects (after doing all of it) if a hook failed. */
  shutdown(reason?: string): Promise<void>;
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) =>
      err ? reject(new Error(`cannot listen on ${address}: ${err.message}`, { cause: err })) : resolve(port),
    );
  });
}

/**
 * The definition with deserializers that hand a refused request to the handler wrappers, which answer it
 * OUT_OF_RANGE or INVALID_ARGUMENT (undecodable.ts), instead of grpc-js's INTERNAL.
 */
function tolerantDefinition(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      { ...method, requestDeserialize: tolerantDeserializer(method.path, method.requestDeserialize) },
    ]),
  );
}

/** Starts a gRPC server with health, reflection, structured errors, deadlines and graceful shutdown. */
export async function createService(options: ServiceOptions): Promise<RunningService> {
  const host = options.host ?? '0.0.0.0';
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const logger = options.logger;
  const security = serverSecurityOf(options.services, options.security, logger);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    // Channelz stays on although no channelz service is registered and its per-call tracking costs CPU:
    // grpc-js 1.14 only records sessions for forceShutdown() when it is on, so with
    // 'grpc.enable_channelz': 0 a forced shutdown leaves hung calls running (shutdown.test.ts).
    ...options.serverOptions,
    interceptors: [...(options.serverOptions?.interceptors ?? []), ...security.interceptors],
  });

  const running = new Set<Promise<unknown>>();
  const env: HandlerEnvironment = {
    logger,
    track: (settled) => {
      running.add(settled);
      void settled.finally(() => running.delete(settled));
    },
  };
  const serviceNames = options.services.map((s) => serviceNameOf(s.definition));
  for (const { definition, implementation } of options.services) {
    server.addService(tolerantDefinition(definition), bindImplementation(implementation, env));
    // The request checks (INPUT_LIMITS) are built now, so the first call does not read the descriptors.
    for (const method of Object.values(definition)) requestCheckFor(method.path);
  }
  const healthStatus = createHealth(serviceNames);
  const { health, setAll, addToServer, endWatches } = healthStatus;
  addToServer(server);
  if (options.reflection ?? true)
    createReflection([...serviceNames, HEALTH_SERVICE_NAME]).addToServer(server);

  let port: number;
  try {
    port = await bind(server, formatAddress(host, options.port), security.credentials);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  const address = formatAddress(host, port);
  let probes: ProbeListener | undefined;
  const probePort = options.security?.probePort;
  if (probePort !== undefined) {
    try {
      probes = await openProbeListener(healthStatus, host, probePort);
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
  }
  setAll('SERVING');
  logger.info(
    { address, services: serviceNames, tls: security.tls, auth: security.auth, probePort: probes?.port },
    `${options.name} listening`,
  );

  const hooks: ShutdownHook[] = [];
  let stopping: Promise<void> | undefined;

  const stop = async (reason: string): Promise<void> => {
    const startedAt = Date.now();
    logger.info({ reason, drainTimeoutMs }, `${options.name} shutting down`);
    setAll('NOT_SERVING');
    const grace = options.notServingGraceMs ?? 0;
    if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
    endWatches();
    const drained = await drainServer(server, drainTimeoutMs, logger);
    probes?.close();
    await settleHandlers(running, options.handlerGraceMs ?? DEFAULT_HANDLER_GRACE_MS, logger);
    const failures = await runShutdownHooks(hooks, logger);
    logger.info(
      { drained, durationMs: Date.now() - startedAt, failedHooks: failures.length },
      `${options.name} stopped`,
    );
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} shutdown hook(s) failed`);
  };

  return {
    name: options.name,
    port,
    address,
    probePort: probes?.port,
    server,
    logger,
    setServing: (serving, service) => {
      // Once draining, the server must keep saying NOT_SERVING.
      if (stopping) return;
      const status = serving ? 'SERVING' : 'NOT_SERVING';
      if (service === undefined) setAll(status);
      else health.setStatus(service, status);
    },
    addShutdownHook: (name, fn) => {
      if (stopping) throw new Error(`cannot add shutdown hook '${name}': shutdown already started`);
      hooks.push({ name, fn });
    },
    shutdown: (reason = 'requested') => (stopping ??= stop(reason)),
  };
}
