// The whole loop with the real pre-training service: a tiny masked-LM run (PretrainService and its
// worker, on shards tokenized with a real tokenizer) registers checkpoints; its final checkpoint fires a
// trigger; the fine-tune worker trains and registers the classifier; Classify answers. No stand-ins.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { common, finetune, pretrain, registry } from '@headstart/proto';
import { writeShards } from '@headstart/shards';
import { waitFor } from '@headstart/testing';
import { Tokenizer } from '@headstart/tokenizer';
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

describe('pre-training to fine-tuning', () => {
  let stack: Stack;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await stack?.close();
  });

  it('the final checkpoint of a pretrain run is fine-tuned, registered with its lineage, and classifies', async () => {
    const { client } = stack;
    const base = await registerTinyTokenizer(client, 'loop-wordpiece');
    const tokenizer = Tokenizer.fromJSON(base.tokenizerJson);
    // Unlabelled text from the same vocabulary, tokenized into shards with that tokenizer.
    const docs = (seed: number, n: number) =>
      Array.from({ length: n }, (_, i) => tinyText(i % 2 ? 'spam' : 'ham', seed + i, 12)).map(
        (t) => tokenizer.encode(t, null, { addSpecialTokens: false }).ids,
      );
    const shardsFile = path.join(stack.dir.path, 'loop.shards');
    await writeShards(
      {
        path: shardsFile,
        vocabSize: tokenizer.vocabSize,
        tokenizerSha256: createHash('sha256').update(base.tokenizerJson).digest('hex'),
        specialTokens: Object.fromEntries(tokenizer.specialTokens.map((t) => [t.token, t.id])),
      },
      { train: docs(1, 300), validation: docs(5_000, 20) },
    );
    const shards = (
      await client.createVersion(
        {
          modelName: 'loop-shards',
          kind: 'DATASET',
          parents: [
            { ref: `${base.tokenizer.modelName}:${base.tokenizer.version}`, relation: 'tokenized_with' },
          ],
        },
        shardsFile,
      )
    ).version;
    await registerDataset(client, 'loop-spam', toJsonl(tinyTaskRows({ train: 16, dev: 4, test: 8 })));

    await stack.startService();
    await stack.startWorker();
    const api = stack.api as finetune.FinetuneServiceClient;
    const { trigger } = await call(api, api.createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName: 'loop-bert',
        condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
        spec: {
          dataset: { name: 'loop-spam', selector: { $case: 'latest', latest: true } },
          hyperparameters: {
            epochs: 6,
            batchSize: 8,
            learningRate: 3e-3,
            seed: 4,
            earlyStoppingPatience: 0,
            minSteps: 0,
          },
        },
      }),
    });

    const pretrainStack = await startPretrain(stack);
    stops.push(() => pretrainStack.stop());
    const pretrainClient = new pretrain.PretrainServiceClient(
      pretrainStack.address,
      grpc.credentials.createInsecure(),
    );
    stops.push(async () => pretrainClient.close());
    const { run } = await call(pretrainClient, pretrainClient.startRun, {
      spec: pretrain.RunSpec.fromPartial({
        modelName: 'loop-bert',
        shards: { name: 'loop-shards', selector: { $case: 'latest', latest: true } },
        model: { dModel: 16, heads: 2, layers: 1, ff: 32, maxLen: 24, dropout: 0 },
        seed: 9,
        training: {
          maxSteps: 12,
          batchSize: 8,
          seqLen: 24,
          warmupSteps: 2,
          checkpointEvery: 6,
          evalEvery: 6,
          evalBatches: 2,
        },
      }),
      idempotencyKey: '',
    });
    expect(run?.id).toBeTruthy();

    const job = await waitFor(
      async () => {
        const { finetunes } = await call(
          api,
          api.listFinetunes,
          finetune.ListFinetunesRequest.fromPartial({ triggerId: trigger!.id }),
        );
        return finetunes.find(
          (f) =>
            f.state === common.JobState.JOB_STATE_SUCCEEDED || f.state === common.JobState.JOB_STATE_FAILED,
        );
      },
      {
        timeoutMs: 200_000,
        message: 'the pre-training run to end and its final checkpoint to be fine-tuned',
      },
    );
    expect(job.error).toBe('');
    expect(job.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);
    // Only the final checkpoint fired (the step-6 one did not).
    const { finetunes } = await call(
      api,
      api.listFinetunes,
      finetune.ListFinetunesRequest.fromPartial({ triggerId: trigger!.id }),
    );
    expect(finetunes).toHaveLength(1);

    const checkpoint = await client.getVersion(`${job.baseVersion!.modelName}:${job.baseVersion!.version}`);
    expect(checkpoint.kind).toBe(registry.ModelKind.MODEL_KIND_BASE_MODEL);
    expect(checkpoint.metadata['final']).toBe('true');
    expect(checkpoint.runId).toBe(run!.id);
    expect(checkpoint.parents.find((p) => p.relation === 'trained_on')?.versionId).toBe(shards.id);
    const result = await client.getVersion(`${job.resultVersion!.modelName}:${job.resultVersion!.version}`);
    const lineage = await client.getLineage(`${result.modelName}:${result.version}`, {
      direction: 'ancestors',
    });
    const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
    const edges = lineage.edges.map(
      (e) =>
        `${byId.get(e.childId)?.modelName ?? result.modelName} -${e.relation}-> ${byId.get(e.parentId)?.modelName}`,
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        'loop-bert-loop-spam -finetuned_from-> loop-bert',
        'loop-bert-loop-spam -trained_on-> loop-spam',
        'loop-bert -trained_on-> loop-shards',
        'loop-bert -tokenized_with-> loop-wordpiece',
        'loop-shards -tokenized_with-> loop-wordpiece',
      ]),
    );
    expect(result.metrics['accuracy']).toBeGreaterThan(0.5);

    const answer = await call(api, api.classify, {
      model: { name: result.modelName, selector: { $case: 'latest', latest: true } },
      texts: [tinyText('spam', 777), tinyText('ham', 778)],
    });
    expect(answer.predictions.map((p) => p.label)).toEqual(['spam', 'ham']);
  });
});
