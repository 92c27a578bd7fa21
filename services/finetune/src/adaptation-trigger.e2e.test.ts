// Adaptation triggers with the real services: a tiny base run's final checkpoint fires a trigger that
// starts a continued pre-training run on the task's own text (the pretrain service, its worker, the
// registry); the adapted model's final checkpoint fires a fine-tune trigger in turn. The lineage shows
// the whole chain. Bad adaptation triggers are refused with the field named.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import type { registry } from '@headstart/proto';
import { common, finetune, pretrain } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { writeShards } from '@headstart/shards';
import { waitFor } from '@headstart/testing';
import { Tokenizer } from '@headstart/tokenizer';
import * as grpc from '@grpc/grpc-js';
import { call, startPretrain, startStack, type Stack } from './test-support/stack';
import {
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  tinyText,
  toJsonl,
  useTestBackend,
} from './test-support/tiny-task';

jest.setTimeout(240_000);

const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true } });

/** Registers token shards of `docs` texts, tokenized with the tiny tokenizer. */
async function registerShards(
  stack: Stack,
  client: RegistryClient,
  name: string,
  tokenizer: { json: string; ref: string },
  texts: (seed: number, n: number) => string[],
): Promise<registry.ModelVersion> {
  const t = Tokenizer.fromJSON(tokenizer.json);
  const ids = (seed: number, n: number) =>
    texts(seed, n).map((text) => t.encode(text, null, { addSpecialTokens: false }).ids);
  const file = path.join(stack.dir.path, `${name}.shards`);
  await writeShards(
    {
      path: file,
      vocabSize: t.vocabSize,
      tokenizerSha256: createHash('sha256').update(tokenizer.json).digest('hex'),
      specialTokens: Object.fromEntries(t.specialTokens.map((s) => [s.token, s.id])),
    },
    { train: ids(1, 200), validation: ids(5_000, 20) },
  );
  return client.uploadVersion(
    { modelName: name, kind: 'DATASET', parents: [{ ref: tokenizer.ref, relation: 'tokenized_with' }] },
    file,
  );
}

const TINY_TRAINING = { batchSize: 8, seqLen: 24, warmupSteps: 2, evalEvery: 4, evalBatches: 2 };

describe('adaptation triggers', () => {
  let stack: Stack;
  let pretrainClient: PretrainClient;
  let api: finetune.FinetuneServiceClient;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
    const pretrain = await startPretrain(stack);
    stops.push(() => pretrain.stop());
    pretrainClient = createPretrainClient({ address: pretrain.address });
    stops.push(async () => pretrainClient.close());
    await stack.startService({ pretrainAddress: pretrain.address });
    await stack.startWorker();
    api = stack.api as finetune.FinetuneServiceClient;
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await stack?.close();
  });

  it('a base checkpoint is adapted to the task text, and the adapted checkpoint is fine-tuned', async () => {
    const { client } = stack;
    const base = await registerTinyTokenizer(client, 'adapt-wordpiece');
    const tokenizer = {
      json: base.tokenizerJson,
      ref: `${base.tokenizer.modelName}:${base.tokenizer.version}`,
    };
    // General text (both topics) for the base; the task's own unlabelled text (one topic) to adapt on.
    await registerShards(stack, client, 'adapt-general', tokenizer, (seed, n) =>
      Array.from({ length: n }, (_, i) => tinyText(i % 2 ? 'spam' : 'ham', seed + i, 12)),
    );
    const taskShards = await registerShards(stack, client, 'adapt-task-text', tokenizer, (seed, n) =>
      Array.from({ length: n }, (_, i) => tinyText('spam', seed + i, 12)),
    );
    await registerDataset(client, 'adapt-spam', toJsonl(tinyTaskRows({ train: 16, dev: 4, test: 8 })));

    const { trigger: adapt } = await call(api, api.createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName: 'adapt-bert',
        condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
        adaptation: {
          modelName: 'adapt-bert-task',
          shards: latest('adapt-task-text'),
          seed: 3,
          training: { ...TINY_TRAINING, maxSteps: 8, learningRate: 5e-4 },
        },
      }),
    });
    const { trigger: tune } = await call(api, api.createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName: 'adapt-bert-task',
        condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
        spec: {
          dataset: latest('adapt-spam'),
          hyperparameters: { epochs: 4, batchSize: 8, learningRate: 3e-3, seed: 4, minSteps: 0 },
        },
      }),
    });

    const baseRun = await pretrainClient.startRun(
      pretrain.RunSpec.fromPartial({
        modelName: 'adapt-bert',
        shards: latest('adapt-general'),
        model: { dModel: 16, heads: 2, layers: 1, ff: 32, maxLen: 24, dropout: 0 },
        seed: 9,
        training: { ...TINY_TRAINING, maxSteps: 8 },
      }),
    );

    const job = await waitFor(
      async () => {
        const { finetunes } = await call(
          api,
          api.listFinetunes,
          finetune.ListFinetunesRequest.fromPartial({ triggerId: tune!.id }),
        );
        return finetunes.find((f) => f.state === common.JobState.JOB_STATE_SUCCEEDED || f.error !== '');
      },
      {
        timeoutMs: 200_000,
        message: 'the base run, its adaptation run and the fine-tune of the adapted base',
      },
    );
    expect(job.error).toBe('');

    // One adaptation run, continued from the base's final checkpoint, on the task's text.
    const adaptedRuns = await pretrainClient.listAllRuns({ modelName: 'adapt-bert-task' });
    expect(adaptedRuns).toHaveLength(1);
    const baseFinal = await client.getVersion('adapt-bert@final');
    expect(baseFinal.runId).toBe(baseRun.id);
    expect(adaptedRuns[0]!.spec?.continueFrom?.name).toBe('adapt-bert');
    const [{ triggers }] = [await call(api, api.listTriggers, { baseModelName: 'adapt-bert' })];
    expect(triggers.find((t) => t.id === adapt!.id)).toMatchObject({ firedCount: 1, lastError: '' });

    // The fine-tune's lineage: fine-tuned from the adapted base, continued from the general base,
    // the adapted base trained on the task's text.
    expect(job.baseVersion?.modelName).toBe('adapt-bert-task');
    const result = `${job.resultVersion!.modelName}:${job.resultVersion!.version}`;
    const lineage = await client.getLineage(result, { direction: 'ancestors' });
    const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
    const edges = lineage.edges.map(
      (e) =>
        `${byId.get(e.childId)?.modelName ?? job.resultVersion!.modelName} -${e.relation}-> ${byId.get(e.parentId)?.modelName}`,
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        'adapt-bert-task-adapt-spam -finetuned_from-> adapt-bert-task',
        'adapt-bert-task -continued_from-> adapt-bert',
        'adapt-bert-task -trained_on-> adapt-task-text',
        'adapt-bert -trained_on-> adapt-general',
      ]),
    );
    const continued = lineage.edges.find((e) => e.relation === 'continued_from');
    expect(continued?.parentId).toBe(baseFinal.id);
    expect(lineage.nodes.some((n) => n.id === taskShards.id)).toBe(true);
  });

  it('refuses bad adaptation triggers, naming the field', async () => {
    const create = (adaptation: Partial<pretrain.RunSpec>, baseModelName = 'adapt-bert') =>
      call(api, api.createTrigger, {
        trigger: finetune.Trigger.fromPartial({ baseModelName, adaptation }),
      }).then(
        () => undefined,
        (err: grpc.ServiceError) => ({ code: err.code, details: err.details }),
      );
    expect(await create({ shards: latest('adapt-task-text') })).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining('trigger.adaptation.model_name'),
    });
    expect(await create({ modelName: 'adapt-bert', shards: latest('adapt-task-text') })).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining('must differ from trigger.base_model_name'),
    });
    expect(
      await create({
        modelName: 'adapt-x',
        shards: latest('adapt-task-text'),
        continueFrom: latest('adapt-bert'),
      }),
    ).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('continue_from') });
    expect(await create({ modelName: 'adapt-x', shards: latest('no-such-shards') })).toEqual({
      code: grpc.status.NOT_FOUND,
      details: expect.stringContaining('no-such-shards'),
    });
  });
});
