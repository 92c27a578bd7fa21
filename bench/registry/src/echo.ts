import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

import * as grpc from '@grpc/grpc-js';

/*
 * A gRPC server that does nothing but answer: the floor under GetVersion on this machine. Same
 * grpc-js, same process setup (its own node process), same message sizes as a GetVersion of the
 * seeded versions, no work in the handler. The registry's figures divided by these show what the
 * registry itself adds to the cost of a gRPC call.
 */

/** Size of an encoded GetVersionResponse of a seeded version (metadata, metrics, tags, a parent, aliases). */
export const ECHO_RESPONSE_BYTES = 441;
const REQUEST_BYTES = 32;

const identity = (b: Buffer): Buffer => b;
const ECHO_SERVICE: grpc.ServiceDefinition = {
  Echo: {
    path: '/headstart.bench.v1.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Runs the echo server in this process; prints its port on stdout and serves until killed. */
export function serveEcho(): void {
  const response = Buffer.alloc(ECHO_RESPONSE_BYTES, 7);
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    Echo: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      callback(null, response),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`echo server cannot listen: ${err.message}`);
      process.exit(1);
    }
    console.log(String(port));
  });
}

export interface EchoProcess {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts `node echo-server.js` and waits for the port it prints. */
export async function startEchoProcess(): Promise<EchoProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'echo-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`echo server exited with code ${code}`)));
  });
  if (child.pid === undefined) throw new Error('echo server has no pid');
  return {
    pid: child.pid,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A client with its own connection that makes calls the way the registry client does (fresh metadata, a 30 s deadline). */
export class EchoChannel {
  private readonly client: grpc.Client;
  private readonly request = Buffer.alloc(REQUEST_BYTES, 1);

  constructor(address: string) {
    const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
    this.client = new Client(address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve())),
    );
  }

  call(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(
        ECHO_SERVICE['Echo']?.path ?? '',
        identity,
        identity,
        this.request,
        new grpc.Metadata(),
        { deadline: Date.now() + 30_000 },
        (err, response) => {
          if (err) reject(err);
          else if (response?.length !== ECHO_RESPONSE_BYTES) reject(new Error('echo answered a wrong size'));
          else resolve();
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
