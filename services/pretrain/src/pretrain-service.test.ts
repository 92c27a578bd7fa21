// The PretrainService through gRPC, with a real registry, a real nats-server and in-process workers.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { common, pretrain, registry } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { service as healthService } from 'grpc-health-check';
import { readCheckpoint } from '@headstart/checkpoint';
import type { TestStack } from './test-support/stack';
import { startTestStack, tinyRunSpec, watchMessages } from './test-support/stack';
import { useTestBackend } from './test-support/tiny-data';

const { JobState } = common;
let stack: TestStack;

beforeAll(async () => {
  await useTestBackend();
  stack = await startTestStack();
}, 60_000);
afterAll(() => stack?.close());

async function failure(promise: Promise<unknown>): Promise<HeadstartError> {
  try {
    await promise;
  } catch (err) {
    return HeadstartError.from(err);
  }
  throw new Error('expected the call to fail');
}

describe('StartRun validation', () => {
  it('names the bad field with INVALID_ARGUMENT', async () => {
    const heads = await failure(
      stack.client.startRun(
        tinyRunSpec({ model: pretrain.ModelConfig.fromPartial({ dModel: 130, heads: 4 }) }),
      ),
    );
    expect(heads.code).toBe(Code.INVALID_ARGUMENT);
    expect(heads.message).toContain('model.d_model: 130 is not divisible by model.heads 4');
    expect(heads.details?.field).toBe('model.d_model');
    const nan = await failure(stack.client.startRun(tinyRunSpec({}, { learningRate: NaN })));
    expect(nan.code).toBe(Code.INVALID_ARGUMENT);
    expect(nan.message).toContain('training.learning_rate: NaN is not a finite number > 0');
  });

  it('refuses unknown shards with NOT_FOUND and non-shards with FAILED_PRECONDITION', async () => {
    const missing = await failure(
      stack.client.startRun(tinyRunSpec({ shards: { name: 'no-such-shards', selector: undefined } })),
    );
    expect(missing.code).toBe(Code.NOT_FOUND);
    expect(missing.message).toMatch(/^shards no-such-shards/);
    const tokenizer = await failure(
      stack.client.startRun(tinyRunSpec({ shards: { name: 'tiny-wordpiece', selector: undefined } })),
    );
    expect(tokenizer.code).toBe(Code.FAILED_PRECONDITION);
    expect(tokenizer.message).toContain('it is a MODEL_KIND_TOKENIZER, not a DATASET');
    await stack.registryClient.createVersion(
      { modelName: 'raw-corpus', kind: 'DATASET' },
      Buffer.from('{"text":"hello"}\n'),
    );
    const corpus = await failure(
      stack.client.startRun(tinyRunSpec({ shards: { name: 'raw-corpus', selector: undefined } })),
    );
    expect(corpus.code).toBe(Code.FAILED_PRECONDITION);
    expect(corpus.message).toContain('not a token-shards dataset');
  });

  it('refuses a model name taken by another kind, and unknown runs', async () => {
    const taken = await failure(stack.client.startRun(tinyRunSpec({ modelName: 'tiny-wordpiece' })));
    expect(taken.code).toBe(Code.FAILED_PRECONDITION);
    expect(taken.message).toMatch(/^model_name: tiny-wordpiece is a MODEL_KIND_TOKENIZER/);
    expect((await failure(stack.client.getRun('run-nope'))).code).toBe(Code.NOT_FOUND);
    expect((await failure(stack.client.getRun('bad id!'))).code).toBe(Code.INVALID_ARGUMENT);
  });
});

function checkHealth(port: number): Promise<string> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'Health');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
    check(
      req: { service: string },
      opts: grpc.CallOptions,
      cb: (err: Error | null, res?: { status: string }) => void,
    ): void;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    client.check({ service: '' }, { deadline: Date.now() + 5_000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(String(res?.status));
    }),
  );
}

describe('worker process surface', () => {
  it('serves grpc.health.v1 on its health port until stopped', async () => {
    const worker = await stack.startWorker({ healthPort: 0, healthHost: '127.0.0.1' });
    const port = worker.healthPort as number;
    expect(port).toBeGreaterThan(0);
    expect(await checkHealth(port)).toBe('SERVING');
    await worker.stop();
    await expect(checkHealth(port)).rejects.toThrow();
  });
});

describe('queued runs', () => {
  it('pins the shards, fills in defaults, pages newest first and cancels at once', async () => {
    const modelName = 'queued-only';
    const a = await stack.client.startRun(
      tinyRunSpec({ modelName, shards: { name: 'tiny-shards', selector: undefined } }),
    );
    expect(a.state).toBe(JobState.JOB_STATE_QUEUED);
    expect(a.spec?.shards).toEqual({
      name: 'tiny-shards',
      selector: { $case: 'version', version: stack.shards.version },
    });
    expect(a.spec?.model?.vocabSize).toBe(100);
    expect(a.spec?.training?.beta2).toBe(0.98);
    expect(a.totalSteps).toBe(20);
    expect(a.parameters).toBeGreaterThan(0);
    const b = await stack.client.startRun(tinyRunSpec({ modelName }));
    const c = await stack.client.startRun(tinyRunSpec({ modelName }), { idempotencyKey: 'key-1' });
    expect((await stack.client.startRun(tinyRunSpec({ modelName }), { idempotencyKey: 'key-1' })).id).toBe(
      c.id,
    );

    const first = await stack.client.listRuns({ modelName, pageSize: 2 });
    expect(first.runs.map((r) => r.id)).toEqual([c.id, b.id]);
    const second = await stack.client.listRuns({ modelName, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.runs.map((r) => r.id)).toEqual([a.id]);
    expect(second.nextPageToken).toBe('');
    expect((await failure(stack.client.listRuns({ pageToken: 'garbage' }))).code).toBe(Code.INVALID_ARGUMENT);

    for (const run of [a, b, c])
      expect((await stack.client.cancelRun(run.id)).state).toBe(JobState.JOB_STATE_CANCELLED);
    const cancelled = await stack.client.listRuns({ modelName, state: JobState.JOB_STATE_CANCELLED });
    expect(cancelled.runs).toHaveLength(3);
    // A worker that pulls a cancelled run's item drops it.
    const worker = await stack.startWorker();
    await waitFor(() => worker.consumer.stats.acked >= 3, { timeoutMs: 20_000 });
    await worker.stop();
    expect((await stack.client.getRun(a.id)).attempts).toBe(0);
  });
});

describe('a run end to end', () => {
  it('trains, streams progress, registers checkpoints with lineage and aliases, and rotates local files', async () => {
    const worker = await stack.startWorker();
    const run = await stack.client.startRun(tinyRunSpec({ modelName: 'e2e-bert', tags: ['e2e'] }));
    const messages = await watchMessages(stack.client, run.id);
    await worker.stop();

    const done = messages.at(-1)?.run as pretrain.Run;
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done).toMatchObject({
      step: 20,
      tokensSeen: 20 * 4 * 16,
      attempts: 1,
      worker: '',
      cancelRequested: false,
    });
    const progress = messages.filter((m) => m.learningRate > 0);
    expect(progress.length).toBeGreaterThanOrEqual(10);
    const steps = progress.map((m) => m.step);
    expect([...steps].sort((x, y) => x - y)).toEqual(steps);
    expect(progress.some((m) => m.evalLoss !== undefined && m.perplexity === Math.exp(m.evalLoss))).toBe(
      true,
    );
    expect(progress.at(-1)).toMatchObject({ step: 20, totalSteps: 20 });
    expect(progress.every((m) => m.tokensPerSecond > 0 && m.loss > 0)).toBe(true);

    const versions: registry.ModelVersion[] = [];
    for await (const v of stack.registryClient.searchVersions({ modelName: 'e2e-bert' })) versions.push(v);
    expect(versions.map((v) => Number(v.metadata.step)).sort((x, y) => x - y)).toEqual([5, 10, 15, 20]);
    for (const v of versions) {
      expect(v.kind).toBe(registry.ModelKind.MODEL_KIND_BASE_MODEL);
      expect(v.runId).toBe(run.id);
      expect(v.tags).toEqual(['e2e']);
      expect(v.parents.map((p) => [p.modelName, p.version, p.relation])).toEqual([
        ['tiny-shards', stack.shards.version, 'trained_on'],
        ['tiny-wordpiece', stack.tokenizer.version, 'tokenized_with'],
      ]);
      expect(Object.keys(v.metrics).sort()).toEqual(['eval_loss', 'loss', 'perplexity', 'step', 'tokens']);
    }
    const final = versions.find((v) => v.metadata.final === 'true') as registry.ModelVersion;
    expect(final.metadata.step).toBe('20');
    expect(final.aliases).toEqual(expect.arrayContaining(['final', 'latest-checkpoint']));
    expect(done.finalVersion).toBe(final.version);
    expect(done.lastCheckpointVersion).toBe(final.version);
    const best = await stack.registryClient.getVersion('e2e-bert@best');
    expect(best.version).toBe(done.bestCheckpointVersion);
    expect(best.metrics.eval_loss).toBeCloseTo(
      Math.min(...versions.map((v) => v.metrics.eval_loss as number)),
      10,
    );

    const bundle = await stack.registryClient.downloadToBuffer('e2e-bert@final');
    const checkpoint = await readCheckpoint(bundle);
    expect(checkpoint.state).toMatchObject({ runId: run.id, step: 20, final: true });
    const model = checkpoint.loadModel();
    expect(model.config).toMatchObject({ vocabSize: 100, dModel: 16, layers: 1 });

    const local = await readdir(
      path.join(stack.dir.path, 'worker', 'pretrain', 'runs', run.id, 'checkpoints'),
    );
    const bestFile = `step-${String(checkpoint.state.bestCheckpoint?.step).padStart(9, '0')}.tar`;
    expect(local.sort()).toEqual([...new Set([bestFile, 'step-000000015.tar', 'step-000000020.tar'])].sort());
  });

  it('cancels a running run at a step boundary and keeps what it registered', async () => {
    const worker = await stack.startWorker({ progressIntervalMs: 0 });
    const run = await stack.client.startRun(
      tinyRunSpec({ modelName: 'cancel-bert' }, { maxSteps: 400, checkpointEvery: 5 }),
    );
    let cancelled: pretrain.Run | undefined;
    const messages = await watchMessages(stack.client, run.id, (m) => {
      if (!cancelled && (m.run?.lastCheckpointStep ?? 0) >= 5) {
        cancelled = {} as pretrain.Run;
        void stack.client.cancelRun(run.id).then((r) => (cancelled = r));
      }
    });
    await worker.stop();
    const last = messages.at(-1)?.run as pretrain.Run;
    expect(last.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(last.cancelRequested).toBe(true);
    expect(last.step).toBeLessThan(400);
    const versions: registry.ModelVersion[] = [];
    for await (const v of stack.registryClient.searchVersions({ modelName: 'cancel-bert' })) versions.push(v);
    expect(versions.length).toBeGreaterThanOrEqual(1);
    expect(versions.every((v) => v.metadata.final === 'false')).toBe(true);
  });

  it('hands a run back on worker stop, with a checkpoint of the exact step, and another worker finishes it', async () => {
    const first = await stack.startWorker();
    const run = await stack.client.startRun(
      // No scheduled checkpoint before the last step, so the only checkpoint before it is the hand-back's.
      // The stop lands within about a second of training (one 500-ms heartbeat shows step 3), when the
      // tiny model is some 70 steps in: 600 steps leave room for ten times that, and the second worker
      // finishes the rest in seconds (3,000 took 40 s of the suite).
      tinyRunSpec({ modelName: 'handback-bert' }, { maxSteps: 600, checkpointEvery: 600, evalEvery: 100 }),
    );
    await waitFor(async () => (await stack.client.getRun(run.id)).step >= 3, { timeoutMs: 30_000 });
    await first.stop('test: rolling update');
    const handedBack = await stack.client.getRun(run.id);
    expect(handedBack.state).toBe(JobState.JOB_STATE_QUEUED);
    expect(handedBack.lastCheckpointStep).toBe(handedBack.step);
    expect(handedBack.lastCheckpointStep).toBeLessThan(600);

    const second = await stack.startWorker();
    const messages = await watchMessages(stack.client, run.id);
    await second.stop();
    const done = messages.at(-1)?.run as pretrain.Run;
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done.attempts).toBe(2);
    expect(done.resumedFromStep).toBe(handedBack.step);
    // The hand-back did not count as a failed delivery: the second attempt ran from a fresh item.
    expect(second.consumer.stats.delivered).toBe(1);
    const resumed = await stack.registryClient.getVersion('handback-bert:2');
    expect(resumed.parents.find((p) => p.relation === 'resumed_from')).toMatchObject({
      modelName: 'handback-bert',
      version: 1,
    });
  });
});
