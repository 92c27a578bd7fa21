// End to end with real parts: nats-server, the registry (outbox relay), the finetune API and a worker.
// A checkpoint registered in the registry fires a trigger; the worker fine-tunes it and registers the
// classifier with lineage and metrics; Classify and FillMask answer.
import * as grpc from '@grpc/grpc-js';
import { defineEventConsumer } from '@headstart/events';
import { common, finetune, registry } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { readFinetunedBundle } from './models/finetuned-bundle';
import { call, startStack, type Stack } from './test-support/stack';
import {
  registerCheckpoint,
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  tinyText,
  toJsonl,
  useTestBackend,
  type TinyBase,
} from './test-support/tiny-task';

const { JobState } = common;
jest.setTimeout(180_000);

describe('finetune end to end', () => {
  let stack: Stack;
  let api: finetune.FinetuneServiceClient;
  let base: TinyBase;
  let dataset: registry.ModelVersion;

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
    await stack.startService();
    await stack.startWorker({ healthPort: 0, healthHost: '127.0.0.1' });
    api = stack.api as finetune.FinetuneServiceClient;
    base = await registerTinyTokenizer(stack.client);
    dataset = await registerDataset(
      stack.client,
      'tiny-spam',
      toJsonl(tinyTaskRows({ train: 24, dev: 6, test: 10 })),
    );
  });
  afterAll(() => stack?.close());

  const spec = (overrides: Partial<finetune.FinetuneSpec> = {}) =>
    finetune.FinetuneSpec.fromPartial({
      dataset: { name: 'tiny-spam', selector: { $case: 'latest', latest: true } },
      hyperparameters: {
        epochs: 6,
        batchSize: 8,
        learningRate: 3e-3,
        seed: 3,
        earlyStoppingPatience: 0,
        minSteps: 0,
      },
      ...overrides,
    });

  it('a registered checkpoint fires the trigger; the result is registered with lineage and metrics and classifies', async () => {
    const finishedEvents: string[] = [];
    const listener = await stack.service!.bus.consume(
      defineEventConsumer({
        name: 'test-finetune-finished',
        description: 'test',
        events: ['finetuneFinished'],
        ackWaitMs: 5_000,
        maxDeliver: 3,
        backoffMs: [100],
      }),
      async (event, ctx) => {
        if (event.type === 'finetuneFinished') finishedEvents.push(`${event.message.jobId}|${ctx.msgId}`);
      },
    );
    const { trigger } = await call(api, api.createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName: 'tiny-bert',
        condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
        spec: spec({ tags: ['e2e'], aliases: ['candidate'] }),
      }),
    });
    expect(trigger?.id).toMatch(/^tr_/);
    // Not final: the trigger must not fire.
    const first = await registerCheckpoint(stack.client, base, 'tiny-bert', { final: false });
    const checkpoint = await registerCheckpoint(stack.client, base, 'tiny-bert', { final: true });

    const job = await waitFor(
      async () => {
        const { finetunes } = await call(
          api,
          api.listFinetunes,
          finetune.ListFinetunesRequest.fromPartial({ triggerId: trigger!.id }),
        );
        const done = finetunes.find(
          (f) => f.state === JobState.JOB_STATE_SUCCEEDED || f.state === JobState.JOB_STATE_FAILED,
        );
        return done;
      },
      { timeoutMs: 120_000, message: 'the triggered fine-tune to finish' },
    );
    expect(job.error).toBe('');
    expect(job.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(job.baseVersion?.versionId).toBe(checkpoint.id);
    expect(job.baseVersion?.versionId).not.toBe(first.id);
    expect(job.labels).toEqual(['ham', 'spam']);
    expect([job.trainExamples, job.devExamples, job.testExamples]).toEqual([48, 12, 20]);
    expect(job.queuedAt).toBeDefined();
    expect(job.attempts).toBe(1);
    expect(job.totalSteps).toBe(36); // 6 epochs of 48 examples in batches of 8
    expect(job.step).toBe(job.totalSteps);
    expect(job.worker).toBe('');

    // The registered version: kind, lineage, metrics, tags, alias, and a bundle that loads.
    const result = job.resultVersion!;
    const version = await stack.client.getVersion({
      name: result.modelName,
      selector: { $case: 'version', version: result.version },
    });
    expect(result.modelName).toBe('tiny-bert-tiny-spam');
    expect(version.kind).toBe(registry.ModelKind.MODEL_KIND_FINETUNED_MODEL);
    expect(version.runId).toBe(job.id);
    expect(version.tags).toContain('e2e');
    expect(version.aliases).toContain('candidate');
    const parents = Object.fromEntries(version.parents.map((p) => [p.relation, p.versionId]));
    expect(parents).toEqual({
      finetuned_from: checkpoint.id,
      trained_on: dataset.id,
      tokenized_with: base.tokenizer.id,
    });
    expect(version.metrics['accuracy']).toBeGreaterThanOrEqual(0.8);
    for (const key of ['macro_f1', 'loss', 'precision/spam', 'recall/ham', 'f1/spam', 'dev_accuracy']) {
      expect(Number.isFinite(version.metrics[key])).toBe(true);
    }
    expect(job.test?.confusionMatrix?.counts.reduce((a, b) => a + b, 0)).toBe(20);
    expect(job.test?.accuracy).toBeCloseTo(version.metrics['accuracy'] as number, 10);
    const descendants = await stack.client.getLineage(
      { name: 'tiny-bert', selector: { $case: 'version', version: checkpoint.version } },
      { direction: 'descendants' },
    );
    expect(descendants.nodes.map((n) => n.id)).toContain(version.id);
    const bundle = readFinetunedBundle(
      await stack.client.downloadToBuffer(`${result.modelName}:${result.version}`),
    );
    expect(bundle.manifest.labels).toEqual(['ham', 'spam']);
    expect(bundle.manifest.base.versionId).toBe(checkpoint.id);

    // FinetuneFinished: published once, with Nats-Msg-Id = the job id.
    await waitFor(() => finishedEvents.length >= 1);
    expect(finishedEvents).toEqual([`${job.id}|${job.id}`]);
    await listener.stop();

    // Classify by alias, batched, with a truncated text flagged.
    const long = Array.from({ length: 40 }, () => 'cash').join(' ');
    const answer = await call(api, api.classify, {
      model: { name: result.modelName, selector: { $case: 'alias', alias: 'candidate' } },
      texts: [tinyText('spam', 424242), tinyText('ham', 434343), long],
    });
    expect(answer.modelVersion?.versionId).toBe(version.id);
    expect(answer.labels).toEqual(['ham', 'spam']);
    expect(answer.predictions.map((p) => p.label)).toEqual(['spam', 'ham', 'spam']);
    expect(answer.predictions.map((p) => p.truncated)).toEqual([false, false, true]);
    expect(answer.predictions[2]?.tokens).toBe(answer.maxLength);
    for (const p of answer.predictions) {
      const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
      expect(p.probabilities[p.label]).toBe(Math.max(...Object.values(p.probabilities)));
    }
    // A second call is served from the cache (no second load).
    const loads = stack.service!.predictor.cache.loadCount;
    await call(api, api.classify, {
      model: { name: result.modelName, selector: { $case: 'latest', latest: true } },
      texts: ['free cash'],
    });
    expect(stack.service!.predictor.cache.loadCount).toBe(loads);
  });

  it('a manual from-scratch control run streams its progress and registers with architecture_from', async () => {
    const checkpoint = await registerCheckpoint(stack.client, base, 'tiny-bert-manual', { final: true });
    const { finetune: started } = await call(api, api.startFinetune, {
      spec: spec({
        baseModel: { name: 'tiny-bert-manual', selector: { $case: 'latest', latest: true } },
        fromScratch: true,
      }),
      idempotencyKey: 'manual-1',
    });
    // An idle worker may already have claimed it by the time StartFinetune answers.
    expect([JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING]).toContain(started?.state);
    expect(started?.spec?.outputModelName).toBe('tiny-bert-manual-tiny-spam-scratch');
    expect(started?.spec?.hyperparameters?.warmupRatio).toBeCloseTo(0.1);
    // A retry with the same key returns the same job.
    const again = await call(api, api.startFinetune, {
      spec: spec({
        baseModel: { name: 'tiny-bert-manual', selector: { $case: 'latest', latest: true } },
        fromScratch: true,
      }),
      idempotencyKey: 'manual-1',
    });
    expect(again.finetune?.id).toBe(started?.id);

    const updates: finetune.Finetune[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = api.watchFinetune({ finetuneId: started!.id }, { deadline: Date.now() + 120_000 });
      stream.on('data', (m: finetune.WatchFinetuneResponse) => updates.push(m.finetune!));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const last = updates[updates.length - 1]!;
    expect(last.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(updates.some((u) => u.state === JobState.JOB_STATE_RUNNING && u.step > 0)).toBe(true);
    expect(updates.some((u) => u.bestDev !== undefined)).toBe(true);
    const version = await stack.client.getVersion(
      `${last.resultVersion!.modelName}:${last.resultVersion!.version}`,
    );
    expect(version.metadata['from_scratch']).toBe('true');
    expect(version.parents.find((p) => p.relation === 'architecture_from')?.versionId).toBe(checkpoint.id);
  });

  it('FillMask answers top-k tokens with ids at each mask of a base model', async () => {
    await registerCheckpoint(stack.client, base, 'tiny-bert-fill', { final: true });
    const answer = await call(api, api.fillMask, {
      model: { name: 'tiny-bert-fill', selector: { $case: 'latest', latest: true } },
      text: 'free [MASK] for the [MASK] today',
      topK: 3,
    });
    expect(answer.masks).toHaveLength(2);
    expect(answer.truncated).toBe(false);
    expect(answer.tokens).toEqual(answer.masks[0]?.tokens);
    for (const mask of answer.masks) {
      expect(mask.tokens).toHaveLength(3);
      const scores = mask.tokens.map((t) => t.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      for (const t of mask.tokens) {
        expect(t.token).not.toBe('');
        expect(t.tokenId).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('the worker serves grpc.health.v1 (SERVING) on its health port', async () => {
    const port = stack.worker!.health!.port;
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    // HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING (1)} is 08 01.
    const response = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        { deadline: Date.now() + 10_000 },
        (err, value) => (err ? reject(err) : resolve(value as Buffer)),
      ),
    );
    client.close();
    expect([...response]).toEqual([0x08, 0x01]);
  });
});
