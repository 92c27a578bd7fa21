import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type * as ProtoPackage from '@headstart/proto';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';

/*
 * Loaded on first use, not at the top: @headstart/proto builds its gRPC client classes on load, and those
 * must be built after telemetry started (main.ts may import the kit's readConfig before that). A plain
 * require, because TypeScript keeps `import()` as is for Node16 modules and Jest cannot run that.
 */
function loadProto(): typeof ProtoPackage {
  return createRequire(__filename)('@headstart/proto') as typeof ProtoPackage;
}

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/** Fully-qualified name of the service a grpc-js definition describes, taken from its method paths. */
export function serviceNameOf(definition: grpc.ServiceDefinition): string {
  const first = Object.values(definition)[0];
  const match = first === undefined ? null : /^\/([^/]+)\/[^/]+$/.exec(first.path);
  if (match?.[1] === undefined)
    throw new Error('service definition has no methods with a /pkg.Service/Method path');
  return match[1];
}

export interface Health {
  health: HealthImplementation;
  setAll(status: ServingStatus): void;
  addToServer(server: grpc.Server): void;
  /** Ends every open Watch stream (after its last status went out), so they do not hold up the drain. */
  endWatches(): void;
}

/** `grpc.health.v1.Health` with "" (the whole server) and every named service, all NOT_SERVING at first. */
export function createHealth(serviceNames: readonly string[]): Health {
  const names = ['', ...serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING'])));
  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  return {
    health,
    setAll: (status) => names.forEach((n) => health.setStatus(n, status)),
    // Watch streams never end by themselves; track them so shutdown can close them.
    addToServer: (server) =>
      health.addToServer({
        addService: (definition, implementation) => {
          const watch = implementation.watch as grpc.handleServerStreamingCall<unknown, unknown> | undefined;
          server.addService(
            definition as grpc.ServiceDefinition,
            {
              ...implementation,
              ...(watch && {
                watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
                  watches.add(call);
                  call.on('close', () => watches.delete(call));
                  call.on('error', () => watches.delete(call));
                  watch(call);
                },
              }),
            } as grpc.UntypedServiceImplementation,
          );
        },
      }),
    endWatches: () => {
      for (const call of watches) if (!call.cancelled && !call.writableEnded) call.end();
      watches.clear();
    },
  };
}

/** What `ReflectionService.addToServer` adds: a service definition and its handlers, per reflection version. */
interface ReflectionEntry {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/** The entries a reflection service adds to a server, recorded instead of added. */
function entriesOf(reflection: ReflectionService): Map<string, ReflectionEntry> {
  const entries = new Map<string, ReflectionEntry>();
  reflection.addToServer({
    addService: (definition, implementation) =>
      void entries.set(serviceNameOf(definition), { definition, implementation }),
  });
  return entries;
}

/** The reflection services' definitions (v1, v1alpha), from a reflection over nothing (cheap). */
let reflectionDefinitions: Map<string, ReflectionEntry> | undefined;
/** Working reflections, one per process and set of services (they hold no per-server state). */
const reflections = new Map<string, Map<string, ReflectionEntry>>();
let descriptors: protoLoader.PackageDefinition | undefined;

/**
 * Server reflection (v1 and v1alpha, so both current grpcurl and older tools work) over the Headstart
 * descriptor set plus the health proto, listing only the services this server runs.
 *
 * Built on the first reflection call, not at start: indexing the descriptor set was a third of a
 * service's start-up, for a service that tools ask once in a while.
 */
export function createReflection(serviceNames: readonly string[]): {
  addToServer(server: Pick<grpc.Server, 'addService'>): void;
} {
  const key = [...serviceNames].sort().join(' ');
  const working = (): Map<string, ReflectionEntry> => {
    let entries = reflections.get(key);
    if (entries === undefined) {
      entries = entriesOf(new ReflectionService(reflectedDescriptors(), { services: [...serviceNames] }));
      reflections.set(key, entries);
    }
    return entries;
  };
  return {
    addToServer: (server) => {
      reflectionDefinitions ??= entriesOf(new ReflectionService({}, { services: [] }));
      for (const [name, { definition, implementation }] of reflectionDefinitions) {
        const lazy = Object.fromEntries(
          Object.keys(implementation).map((method) => [
            method,
            (call: unknown, callback?: unknown) => {
              const handler = working().get(name)?.implementation[method] as (...args: unknown[]) => void;
              handler(call, callback);
            },
          ]),
        );
        server.addService(definition, lazy as grpc.UntypedServiceImplementation);
      }
    },
  };
}

function reflectedDescriptors(): protoLoader.PackageDefinition {
  if (descriptors === undefined) {
    const { descriptorSetPath } = loadProto();
    const headstart = protoLoader.loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath));
    descriptors = { ...headstart, ...protoLoader.loadSync(healthProtoPath) };
  }
  return descriptors;
}
