// Helpers for this package's gRPC-level tests: a registry on port 0 in a temp dir, the generated
// client, and promise wrappers around its calls. Not part of the public API.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import type { Code } from '@headstart/errors';
import type { common } from '@headstart/proto';
import { registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import type { TempDir } from '@headstart/testing';
import { makeTempDir } from '@headstart/testing';

import type { RegistryServiceHandle, RegistryServiceOptions } from './create-registry-service';
import { createRegistryService } from './create-registry-service';

export interface TestRegistry {
  handle: RegistryServiceHandle;
  client: registry.RegistryServiceClient;
  dataDir: string;
  /** Stops the server and closes the client (the data dir stays, for restarts). */
  stop(): Promise<void>;
}

export async function startTestRegistry(
  dataDir: string,
  options: Partial<RegistryServiceOptions> = {},
): Promise<TestRegistry> {
  const handle = await createRegistryService({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'registry-test', level: 'fatal' }),
    drainTimeoutMs: 2_000,
    natsTimeoutMs: 1_500,
    relay: { initialBackoffMs: 50, maxBackoffMs: 400, pollIntervalMs: 2_000 },
    ...options,
  });
  const client = new registry.RegistryServiceClient(
    `127.0.0.1:${handle.port}`,
    grpc.credentials.createInsecure(),
  );
  return {
    handle,
    client,
    dataDir,
    stop: async () => {
      client.close();
      await handle.shutdown('test done');
    },
  };
}

/** A temp data dir and a registry in it; `close()` stops both. */
export async function withTestRegistry(
  options: Partial<RegistryServiceOptions> = {},
): Promise<TestRegistry & { dir: TempDir; close(): Promise<void> }> {
  const dir = await makeTempDir('registry');
  const started = await startTestRegistry(dir.path, options);
  return {
    ...started,
    dir,
    close: async () => {
      await started.stop();
      await dir.remove();
    },
  };
}

const DEADLINE_MS = 20_000;
const deadline = () => ({ deadline: Date.now() + DEADLINE_MS });

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** Calls a unary method of the generated client with a deadline. */
export function call<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new grpc.Metadata(), deadline(), (err, response) =>
      err ? reject(err) : resolve(response),
    ),
  );
}

export function ref(name: string, selector?: number | string): common.VersionRef {
  if (selector === undefined) return { name, selector: { $case: 'latest', latest: true } };
  if (typeof selector === 'number') return { name, selector: { $case: 'version', version: selector } };
  return { name, selector: { $case: 'alias', alias: selector } };
}

export function meta(
  modelName: string,
  overrides: Partial<registry.VersionMetadata> = {},
): registry.VersionMetadata {
  return registry.VersionMetadata.fromPartial({
    modelName,
    kind: registry.ModelKind.MODEL_KIND_DATASET,
    ...overrides,
  });
}

/** Uploads with raw messages (so tests can send them in any order). */
export function uploadMessages(
  client: registry.RegistryServiceClient,
  messages: registry.CreateVersionRequest[],
): Promise<registry.CreateVersionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.createVersion(new grpc.Metadata(), deadline(), (err, response) =>
      err ? reject(err) : resolve(response),
    );
    for (const message of messages) stream.write(message);
    stream.end();
  });
}

/** Uploads metadata then `bytes` in chunks of `chunkBytes`. */
export function upload(
  client: registry.RegistryServiceClient,
  metadata: registry.VersionMetadata,
  bytes: Buffer = Buffer.alloc(0),
  chunkBytes = 256 * 1024,
): Promise<registry.CreateVersionResponse> {
  const messages: registry.CreateVersionRequest[] = [{ payload: { $case: 'metadata', metadata } }];
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    messages.push({ payload: { $case: 'chunk', chunk: bytes.subarray(i, i + chunkBytes) } });
  }
  return uploadMessages(client, messages);
}

export async function download(
  client: registry.RegistryServiceClient,
  versionRef: common.VersionRef,
): Promise<{ info: registry.ArtifactInfo | undefined; bytes: Buffer; chunks: number }> {
  const stream = client.downloadArtifact({ ref: versionRef }, deadline());
  let info: registry.ArtifactInfo | undefined;
  const parts: Buffer[] = [];
  for await (const message of stream as AsyncIterable<registry.DownloadArtifactResponse>) {
    if (message.payload?.$case === 'info') info = message.payload.info;
    else if (message.payload?.$case === 'chunk') parts.push(message.payload.chunk);
  }
  return { info, bytes: Buffer.concat(parts), chunks: parts.length };
}

/** Resolves with the gRPC status code the promise was rejected with (fails the test if it resolved). */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: Code; details: string }> {
  try {
    await promise;
  } catch (err) {
    const status = err as grpc.ServiceError;
    return { code: status.code, details: status.details };
  }
  throw new Error('expected the call to fail');
}

/** Files in the data dir's upload area and blob store. */
export async function storedFiles(dataDir: string): Promise<{ temp: string[]; blobs: string[] }> {
  const blobs: string[] = [];
  const root = path.join(dataDir, 'blobs', 'sha256');
  for (const a of await readdir(root)) {
    for (const b of await readdir(path.join(root, a))) blobs.push(...(await readdir(path.join(root, a, b))));
  }
  return { temp: await readdir(path.join(dataDir, 'blobs', 'tmp')), blobs };
}
