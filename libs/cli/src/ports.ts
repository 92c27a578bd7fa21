// TCP probes on the addresses the CLI talks to: whether `headstart up` can serve on a port, and whether
// anything answers where a command failed to connect.
import * as net from 'node:net';
import { Code, HeadstartError } from '@headstart/errors';

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port` as the address options take it (port 0: any free port). */
export function splitAddress(address: string, option: string): HostPort {
  const match = /^(.+):([0-9]{1,5})$/.exec(address);
  const port = Number(match?.[2]);
  if (match === null || port > 65_535) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `--${option} must be HOST:PORT, got "${address}"`, {
      details: { field: option },
    });
  }
  return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}

/** Whether this process could listen on host:port now (a probe: it listens, then closes at once). */
export function canListen({ host, port }: HostPort): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Whether something accepts a TCP connection at host:port within `timeoutMs`. */
export function acceptsConnections({ host, port }: HostPort, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
