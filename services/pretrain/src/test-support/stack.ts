// Test fixtures (not part of the public API): a real nats-server, a real registry in-process, tiny shards
// registered with a tokenizer parent, the PretrainService on port 0 with its own queue and bucket, and a
// promise client over the generated gRPC one.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HeadstartError } from '@headstart/errors';
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
import type { PretrainServiceHandle } from '../service/create-pretrain-service';
import { createPretrainService } from '../service/create-pretrain-service';
import type { PretrainWorkerHandle, PretrainWorkerOptions } from '../worker/create-pretrain-worker';
import { createPretrainWorker } from '../worker/create-pretrain-worker';
import type { TinyShardsOptions } from './tiny-data';
import { writeTinyShards } from './tiny-data';

const DEADLINE_MS = 30_000;

export function quietLogger(name: string): Logger {
  return createLogger({
    name,
    level: process.env['HEADSTART_TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent',
  });
}

/** Promise wrappers with deadlines over the generated client. */
export class TestPretrainClient {
  readonly raw: pretrain.PretrainServiceClient;
  constructor(address: string) {
    this.raw = new pretrain.PretrainServiceClient(address, grpc.credentials.createInsecure());
  }
  private call<Req, Res>(
    method: 'startRun' | 'getRun' | 'listRuns' | 'cancelRun',
    request: Req,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = this.raw[method] as unknown as (
        r: Req,
        m: grpc.Metadata,
        o: Partial<grpc.CallOptions>,
        cb: (err: grpc.ServiceError | null, res: Res) => void,
      ) => void;
      fn.call(this.raw, request, new grpc.Metadata(), { deadline: Date.now() + DEADLINE_MS }, (err, res) =>
        err ? reject(HeadstartError.from(err)) : resolve(res),
      );
    });
  }
  start(spec: pretrain.RunSpec, idempotencyKey = ''): Promise<pretrain.Run> {
    return this.call<pretrain.StartRunRequest, pretrain.StartRunResponse>('startRun', {
      spec,
      idempotencyKey,
    }).then((r) => r.run as pretrain.Run);
  }
  get(runId: string): Promise<pretrain.Run> {
    return this.call<pretrain.GetRunRequest, pretrain.GetRunResponse>('getRun', { runId }).then(
      (r) => r.run as pretrain.Run,
    );
  }
  list(request: Partial<pretrain.ListRunsRequest> = {}): Promise<pretrain.ListRunsResponse> {
    return this.call('listRuns', pretrain.ListRunsRequest.fromPartial(request));
  }
  cancel(runId: string): Promise<pretrain.Run> {
    return this.call<pretrain.CancelRunRequest, pretrain.CancelRunResponse>('cancelRun', { runId }).then(
      (r) => r.run as pretrain.Run,
    );
  }
  /** Every message of a WatchRun stream until it ends. */
  async watch(
    runId: string,
    onMessage?: (m: pretrain.WatchRunResponse) => void,
  ): Promise<pretrain.WatchRunResponse[]> {
    const stream = this.raw.watchRun({ runId }, { deadline: Date.now() + 120_000 });
    const messages: pretrain.WatchRunResponse[] = [];
    try {
      for await (const message of stream as AsyncIterable<pretrain.WatchRunResponse>) {
        messages.push(message);
        onMessage?.(message);
      }
    } catch (err) {
      throw HeadstartError.from(err);
    }
    return messages;
  }
  close(): void {
    this.raw.close();
  }
}

export interface TestStack {
  dir: TempDir;
  nats: NatsServerHandle;
  registry: RegistryServiceHandle;
  registryClient: RegistryClient;
  service: PretrainServiceHandle;
  client: TestPretrainClient;
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
  const tokenizer = await registryClient.uploadVersion(
    { modelName: 'tiny-wordpiece', kind: 'TOKENIZER' },
    Buffer.from('{"model":{"type":"WordPiece"}}'),
  );
  const shardsPath = path.join(dir.path, 'tiny.shards');
  await writeTinyShards(shardsPath, options.shards);
  const shards = await registryClient.uploadVersion(
    {
      modelName: 'tiny-shards',
      kind: 'DATASET',
      parents: [{ ref: `tiny-wordpiece:${tokenizer.version}`, relation: 'tokenized_with' }],
    },
    shardsPath,
  );
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
  const client = new TestPretrainClient(`127.0.0.1:${service.port}`);
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
      await service.shutdown('test done');
      registryClient.close();
      await registryHandle.shutdown('test done');
      await nats.dispose();
      await dir.remove();
    },
  };
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
