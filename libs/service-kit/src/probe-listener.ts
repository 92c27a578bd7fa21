// A plaintext listener that serves only grpc.health.v1, for kubelet gRPC probes: they cannot speak TLS,
// so a server whose main port requires TLS (or a client certificate) answers them here. It shares the
// main server's health statuses, so draining shows NOT_SERVING on both.
import * as grpc from '@grpc/grpc-js';

import type { Health } from './introspection';

export interface ProbeListener {
  readonly port: number;
  close(): void;
}

export function openProbeListener(health: Health, host: string, port: number): Promise<ProbeListener> {
  const server = new grpc.Server();
  health.addToServer(server);
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) {
        server.forceShutdown();
        reject(new Error(`cannot listen for probes on ${address}: ${err.message}`, { cause: err }));
        return;
      }
      resolve({ port: bound, close: () => server.forceShutdown() });
    }),
  );
}
