// A whole Headstart stack for end-to-end tests: a real nats-server, the registry (with its outbox relay),
// the finetune API and a finetune worker, all in this process on free ports with temp data dirs.
import * as grpc from '@grpc/grpc-js';
import type { finetune as FinetuneTypes } from '@headstart/proto';
import { finetune } from '@headstart/proto';
import { createPretrainService, createPretrainWorker } from '@headstart/pretrain';
import { createRegistryService, type RegistryServiceHandle } from '@headstart/registry';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import {
  createFinetuneService,
  type FinetuneServiceHandle,
  type FinetuneServiceOptions,
} from '../create-finetune-service';
import {
  createFinetuneWorker,
  type FinetuneWorkerHandle,
  type FinetuneWorkerOptions,
} from '../create-finetune-worker';

export const quiet = () => createLogger({ name: 'test', level: 'fatal' });

export interface Stack {
  nats: NatsServerHandle;
  registry: RegistryServiceHandle;
  client: RegistryClient;
  dir: TempDir;
  finetuneDir: string;
  service: FinetuneServiceHandle | undefined;
  worker: FinetuneWorkerHandle | undefined;
  api: FinetuneTypes.FinetuneServiceClient | undefined;
  startService(options?: Partial<FinetuneServiceOptions>): Promise<FinetuneServiceHandle>;
  stopService(): Promise<void>;
  startWorker(options?: Partial<FinetuneWorkerOptions>): Promise<FinetuneWorkerHandle>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = await makeTempDir('finetune-e2e');
  const nats = await startNatsServer();
  const registryHandle = await createRegistryService({
    dataDir: `${dir.path}/registry`,
    host: '127.0.0.1',
    port: 0,
    natsUrl: nats.url,
    logger: quiet(),
    drainTimeoutMs: 2_000,
    relay: { initialBackoffMs: 20, maxBackoffMs: 200, pollIntervalMs: 500 },
  });
  const client = createRegistryClient({ address: `127.0.0.1:${registryHandle.port}` });
  const stack: Stack = {
    nats,
    registry: registryHandle,
    client,
    dir,
    finetuneDir: `${dir.path}/finetune`,
    service: undefined,
    worker: undefined,
    api: undefined,
    async startService(options = {}) {
      const service = await createFinetuneService({
        dataDir: stack.finetuneDir,
        registryAddress: `127.0.0.1:${registryHandle.port}`,
        natsUrl: nats.url,
        host: '127.0.0.1',
        port: 0,
        backend: 'cpu',
        logger: quiet(),
        drainTimeoutMs: 2_000,
        sweepIntervalMs: 500,
        ...options,
      });
      stack.service = service;
      stack.api = new finetune.FinetuneServiceClient(
        `127.0.0.1:${service.port}`,
        grpc.credentials.createInsecure(),
      );
      return service;
    },
    async stopService() {
      stack.api?.close();
      await stack.service?.shutdown('test');
      stack.service = undefined;
      stack.api = undefined;
    },
    async startWorker(options = {}) {
      const worker = await createFinetuneWorker({
        registryAddress: `127.0.0.1:${registryHandle.port}`,
        natsUrl: nats.url,
        dataDir: `${dir.path}/worker`,
        backend: 'cpu',
        logger: quiet(),
        name: 'test-worker',
        progressIntervalMs: 50,
        // Every evaluation's checkpoint, so that resume tests find one where they expect it.
        checkpointIntervalMs: 0,
        ...options,
      });
      stack.worker = worker;
      return worker;
    },
    async stopWorker() {
      await stack.worker?.shutdown('test', 2_000);
      stack.worker = undefined;
    },
    async close() {
      await stack.stopWorker().catch(() => undefined);
      await stack.stopService().catch(() => undefined);
      client.close();
      await registryHandle.shutdown('test');
      await nats.dispose();
      await dir.remove();
    },
  };
  return stack;
}

const DEADLINE_MS = 30_000;

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** Calls a unary method of the generated client with a deadline. */
export function call<Req, Res>(client: grpc.Client, method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(
      client,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (err, response) => (err ? reject(err) : resolve(response)),
    ),
  );
}

/** The gRPC status a call failed with (fails the test when it succeeded). */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

/** The real pretrain API and one worker beside `stack` (same NATS and registry), for tests of the loop. */
export async function startPretrain(stack: Stack): Promise<{ address: string; stop(): Promise<void> }> {
  const registryAddress = `127.0.0.1:${stack.registry.port}`;
  const service = await createPretrainService({
    logger: quiet(),
    host: '127.0.0.1',
    port: 0,
    natsUrl: stack.nats.url,
    registryAddress,
    drainTimeoutMs: 2_000,
  });
  const worker = await createPretrainWorker({
    logger: quiet(),
    natsUrl: stack.nats.url,
    registryAddress,
    dataDir: `${stack.dir.path}/pretrain-worker`,
    backend: 'cpu',
    progressIntervalMs: 0,
  });
  return {
    address: `127.0.0.1:${service.port}`,
    async stop() {
      await worker.stop('test');
      await service.shutdown('test');
    },
  };
}
