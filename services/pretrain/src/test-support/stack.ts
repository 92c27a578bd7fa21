// Test fixtures (not part of the public API): a real nats-server, a real registry in-process, tiny shards
// registered with a tokenizer parent, the PretrainService on port 0 with its own queue and bucket, and a
// @headstart/pretrain-client on it (and the generated client, for tests of raw statuses).
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { PretrainClient } from '@headstart/pretrain-client';
import { createPretrainClient } from '@headstart/pretrain-client';
import type { registry } from '@headstart/proto';
import { pretrain } from '@headstart/proto';
import type { RegistryServiceHandle } from '@headstart/registry';
import { createRegistryService } from '@headstart/registry';
import type { RegistryClient } from '@headstart/registry-client';
import { createRegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { createLogger } from '@headstart/service-kit';
import type { NatsServerHandle, TempDir } from '@headstart/testing';
import { makeTempDir, startNatsServer } from '@headstart/testing';
import type { PretrainQueueOptions } from '../queue/work-type';
import type { PretrainServiceHandle } from '../create-pretrain-service';
import { createPretrainService } from '../create-pretrain-service';
import type { PretrainWorkerHandle, PretrainWorkerOptions } from '../worker/create-pretrain-worker';
import { createPretrainWorker } from '../worker/create-pretrain-worker';
import type { TinyShardsOptions } from './tiny-data';
import { writeTinyShards } from './tiny-data';

const WATCH_DEADLINE_MS = 120_000;

export function quietLogger(name: string): Logger {
  return createLogger({
    name,
    level: process.env['HEADSTART_TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent',
  });
}

/**
 * Every message of a run's watch until the run ends; the watch deadline is a test's, not a run's
 * (@headstart/pretrain-client's default is days).
 */
export async function watchMessages(
  client: PretrainClient,
  runId: string,
  onMessage?: (message: pretrain.WatchRunResponse) => void,
): Promise<pretrain.WatchRunResponse[]> {
  const messages: pretrain.WatchRunResponse[] = [];
  const onUpdate = (message: pretrain.WatchRunResponse) => {
    messages.push(message);
    onMessage?.(message);
  };
  await client.watchRun(runId, onUpdate, { deadlineMs: WATCH_DEADLINE_MS });
  return messages;
}

export interface TestStack {
  dir: TempDir;
  nats: NatsServerHandle;
  registry: RegistryServiceHandle;
  registryClient: RegistryClient;
  service: PretrainServiceHandle;
  client: PretrainClient;
  /** The generated client, for tests that look at the raw gRPC status. */
  raw: pretrain.PretrainServiceClient;
  queue: Required<PretrainQueueOptions>;
  runsBucket: string;
  shardsPath: string;
  shards: registry.ModelVersion;
  tokenizer: registry.ModelVersion;
  /** Options of an in-process worker on this stack. */
  workerOptions(overrides?: Partial<PretrainWorkerOptions>): PretrainWorkerOptions;
  startWorker(overrides?: Partial<PretrainWorkerOptions>): Promise<PretrainWorkerHandle>;
  /** Environment of a worker child process (dist/worker.js) on this stack. */
  workerEnv(dataDir: string): Record<string, string>;
  close(): Promise<void>;
}

let stacks = 0;

export async function startTestStack(
  options: { ackWaitMs?: number; shards?: TinyShardsOptions } = {},
): Promise<TestStack> {
  const dir = await makeTempDir('pretrain-stack');
  const nats = await startNatsServer();
  const n = `${process.pid}_${++stacks}`;
  const queue = {
    subject: `headstart.work.pretrain-test-${n}`,
    consumer: `pretrain-test-${n}`,
    ackWaitMs: options.ackWaitMs ?? 3_000,
  };
  const runsBucket = `PRETRAIN_RUNS_TEST_${n}`;
  const registryHandle = await createRegistryService({
    dataDir: path.join(dir.path, 'registry'),
    host: '127.0.0.1',
    port: 0,
    natsUrl: nats.url,
    logger: quietLogger('registry'),
    drainTimeoutMs: 2_000,
  });
  const registryClient = createRegistryClient({ address: `127.0.0.1:${registryHandle.port}` });
  const tokenizer = (
    await registryClient.createVersion(
      { modelName: 'tiny-wordpiece', kind: 'TOKENIZER' },
      Buffer.from('{"model":{"type":"WordPiece"}}'),
    )
  ).version;
  const shardsPath = path.join(dir.path, 'tiny.shards');
  await writeTinyShards(shardsPath, options.shards);
  const shards = (
    await registryClient.createVersion(
      {
        modelName: 'tiny-shards',
        kind: 'DATASET',
        parents: [{ ref: `tiny-wordpiece:${tokenizer.version}`, relation: 'tokenized_with' }],
      },
      shardsPath,
    )
  ).version;
  const service = await createPretrainService({
    logger: quietLogger('pretrain'),
    host: '127.0.0.1',
    port: 0,
    natsUrl: nats.url,
    registryAddress: `127.0.0.1:${registryHandle.port}`,
    runsBucket,
    queue,
    drainTimeoutMs: 2_000,
  });
  const client = createPretrainClient({ address: `127.0.0.1:${service.port}` });
  const raw = new pretrain.PretrainServiceClient(
    `127.0.0.1:${service.port}`,
    grpc.credentials.createInsecure(),
  );
  const workers: PretrainWorkerHandle[] = [];
  const workerOptions = (overrides: Partial<PretrainWorkerOptions> = {}): PretrainWorkerOptions => ({
    logger: quietLogger('worker'),
    natsUrl: nats.url,
    registryAddress: `127.0.0.1:${registryHandle.port}`,
    dataDir: path.join(dir.path, 'worker'),
    backend: 'cpu',
    runsBucket,
    queue,
    progressIntervalMs: 0,
    heartbeatMs: 500,
    stopGraceMs: 30_000,
    ...overrides,
  });
  return {
    dir,
    nats,
    registry: registryHandle,
    registryClient,
    service,
    client,
    raw,
    queue,
    runsBucket,
    shardsPath,
    shards,
    tokenizer,
    workerOptions,
    async startWorker(overrides) {
      const worker = await createPretrainWorker(workerOptions(overrides));
      workers.push(worker);
      return worker;
    },
    workerEnv: (dataDir) => ({
      HEADSTART_NATS_URL: nats.url,
      HEADSTART_REGISTRY_ADDR: `127.0.0.1:${registryHandle.port}`,
      HEADSTART_DATA_DIR: dataDir,
      HEADSTART_HEALTH_PORT: '0',
      HEADSTART_BACKEND: 'cpu',
      HEADSTART_PRETRAIN_RUNS_BUCKET: runsBucket,
      HEADSTART_PRETRAIN_WORK_SUBJECT: queue.subject,
      HEADSTART_PRETRAIN_CONSUMER: queue.consumer,
      HEADSTART_PRETRAIN_ACK_WAIT_MS: String(queue.ackWaitMs),
      HEADSTART_LOG_LEVEL: process.env['HEADSTART_TEST_LOG_LEVEL'] ?? 'warn',
    }),
    async close() {
      await Promise.all(workers.map((w) => w.stop('test done')));
      client.close();
      raw.close();
      await service.shutdown('test done');
      registryClient.close();
      await registryHandle.shutdown('test done');
      await nats.dispose();
      await dir.remove();
    },
  };
}

/**
 * Registers `other-wordpiece` (a TOKENIZER other than the stack's) and `other-shards` (DATASET,
 * tokenized_with it): shards a run may not mix with, or continue a base on, the stack's own.
 */
export async function registerOtherShards(stack: TestStack): Promise<void> {
  const other = (
    await stack.registryClient.createVersion(
      { modelName: 'other-wordpiece', kind: 'TOKENIZER' },
      Buffer.from('{"model":{"type":"WordPiece","other":true}}'),
    )
  ).version;
  const otherShards = path.join(stack.dir.path, 'other.shards');
  await writeTinyShards(otherShards, { tokenizerSha256: 'e'.repeat(64) });
  await stack.registryClient.createVersion(
    {
      modelName: 'other-shards',
      kind: 'DATASET',
      parents: [{ ref: `other-wordpiece:${other.version}`, relation: 'tokenized_with' }],
    },
    otherShards,
  );
}

/** A run spec for the tiny shards: a 1-layer d16 model, seq 16, a few dozen steps. */
export function tinyRunSpec(
  overrides: Partial<pretrain.RunSpec> = {},
  training: Partial<pretrain.TrainingConfig> = {},
): pretrain.RunSpec {
  return pretrain.RunSpec.fromPartial({
    modelName: 'tiny-bert',
    shards: { name: 'tiny-shards', selector: { $case: 'version', version: 1 } },
    seed: 7,
    model: { dModel: 16, heads: 2, layers: 1, ff: 32, maxLen: 16, dropout: 0.1 },
    training: pretrain.TrainingConfig.fromPartial({
      learningRate: 3e-3,
      warmupSteps: 3,
      batchSize: 4,
      seqLen: 16,
      gradAccumulation: 1,
      maxSteps: 20,
      evalEvery: 5,
      evalBatches: 2,
      checkpointEvery: 5,
      keepLast: 2,
      ...training,
    }),
    ...overrides,
  });
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}
