// Transfer studies end to end with real parts (nats-server, the registry, the finetune API and a worker)
// at tiny scale: a study queues its paired trials and baselines on the work queue, the worker runs them,
// and the API registers the REPORT version with lineage, files and a computed verdict. A trigger can
// start a study on a new checkpoint. Bad requests get INVALID_ARGUMENT / NOT_FOUND naming the field.
import * as grpc from '@grpc/grpc-js';
import { unpackTar } from '@headstart/checkpoint';
import { common, finetune, registry } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { call, startStack, statusOf, type Stack } from './test-support/stack';
import {
  registerCheckpoint,
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  toJsonl,
  useTestBackend,
  type TinyBase,
} from './test-support/tiny-task';

const { JobState } = common;
jest.setTimeout(180_000);

const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true } });
// Tiny trials: a few optimizer steps each, so 2 budgets × 2 seeds × 4 arms stay fast.
const FAST = { epochs: 2, batchSize: 8, minSteps: 0, learningRate: 3e-3, earlyStoppingPatience: 0 };

describe('transfer study end to end', () => {
  let stack: Stack;
  let api: finetune.FinetuneServiceClient;
  let base: TinyBase;

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
    await stack.startService();
    await stack.startWorker({ healthPort: 0, healthHost: '127.0.0.1' });
    api = stack.api as finetune.FinetuneServiceClient;
    base = await registerTinyTokenizer(stack.client);
    await registerCheckpoint(stack.client, base, 'tiny-bert', { final: true });
    await registerDataset(stack.client, 'tiny-spam', toJsonl(tinyTaskRows({ train: 12, dev: 4, test: 6 })));
    await registerDataset(
      stack.client,
      'no-dev',
      toJsonl(tinyTaskRows({ train: 12, dev: 0, test: 6 }).filter((r) => r.split !== 'dev')),
    );
  });
  afterAll(() => stack?.close());

  const spec = (overrides: Partial<finetune.StudySpec> = {}) =>
    finetune.StudySpec.fromPartial({
      baseModel: latest('tiny-bert'),
      dataset: latest('tiny-spam'),
      labelBudgets: [4, 0],
      seeds: 2,
      pretrainedHyperparameters: FAST,
      scratchHyperparameters: FAST,
      ...overrides,
    });

  it('runs paired trials and baselines through the work queue and registers the report', async () => {
    const { study: started } = await call(api, api.startStudy, {
      spec: spec({ headlineBudget: 4 }),
      idempotencyKey: 'e2e-1',
    });
    expect(started?.id).toMatch(/^st_/);
    expect(started?.trialsTotal).toBe(16);
    expect(started?.trials).toHaveLength(16);
    expect(new Set(started?.trials.map((t) => t.arm))).toEqual(
      new Set(['pretrained', 'scratch', 'naive_bayes', 'logistic_regression']),
    );
    const again = await call(api, api.startStudy, {
      spec: spec({ headlineBudget: 4 }),
      idempotencyKey: 'e2e-1',
    });
    expect(again.study?.id).toBe(started?.id);

    const done = await waitFor(
      async () => {
        const { study } = await call(api, api.getStudy, { studyId: started!.id });
        return study && [JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED].includes(study.state)
          ? study
          : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 200, message: 'the study to finish' },
    );
    expect(done.error).toBe('');
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done.trialsFinished).toBe(16);
    // Pairing: every (budget, seed) has one trial of each arm, all with the same training examples.
    for (const t of done.trials) {
      const pair = done.trials.filter((u) => u.labelBudget === t.labelBudget && u.seed === t.seed);
      expect(pair).toHaveLength(4);
      expect(new Set(pair.map((u) => u.budgetExamples)).size).toBe(1);
    }
    expect(done.trials.find((t) => t.labelBudget === 0)?.budgetExamples).toBe(24);
    expect(done.verdict).toMatch(/at 4 labels/);
    expect(done.table).toMatch(/## Results/);

    // The report: a REPORT version with lineage to the base and the dataset, and its files.
    const report = await stack.client.getVersion({
      name: done.reportVersion!.modelName,
      selector: { $case: 'version', version: done.reportVersion!.version },
    });
    expect(report.kind).toBe(registry.ModelKind.MODEL_KIND_REPORT);
    expect(report.modelName).toBe('tiny-bert-tiny-spam-study');
    expect(report.parents.map((p) => `${p.relation}:${p.modelName}`).sort()).toEqual([
      'evaluated_on:tiny-spam',
      'studied:tiny-bert',
    ]);
    const tar = await stack.client.downloadToBuffer({
      name: report.modelName,
      selector: { $case: 'version', version: report.version },
    });
    const files = new Map(unpackTar(tar).map((e) => [e.name, Buffer.from(e.data).toString('utf8')]));
    expect([...files.keys()].sort()).toEqual(
      ['accuracy.svg', 'macro-f1.svg', 'paired-difference.svg', 'report.md', 'study.json'].sort(),
    );
    const json = JSON.parse(files.get('study.json') as string) as { trials: unknown[] };
    expect(json.trials).toHaveLength(16);
    expect(files.get('accuracy.svg')).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Trials register nothing: the registry holds no FINETUNED_MODEL of this study.
    const finetuned: string[] = [];
    for await (const m of stack.client.listModels({ kind: 'finetuned_model' })) finetuned.push(m.name);
    expect(finetuned).toEqual([]);
  });

  it('a trigger starts a study on the checkpoint that fired it, with the arms it names', async () => {
    const { trigger } = await call(api, api.createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName: 'tiny-bert',
        condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
        study: spec({
          baseModel: undefined,
          labelBudgets: [4],
          reportModelName: 'triggered-study',
          arms: ['naive_bayes', 'pretrained'],
        }),
      }),
    });
    const checkpoint = await registerCheckpoint(stack.client, base, 'tiny-bert', { final: true, seed: 9 });
    const study = await waitFor(
      async () => {
        const { studies } = await call(
          api,
          api.listStudies,
          finetune.ListStudiesRequest.fromPartial({ baseModelName: 'tiny-bert', pageSize: 10 }),
        );
        return studies.find((s) => s.triggerId === trigger!.id && s.state === JobState.JOB_STATE_SUCCEEDED);
      },
      { timeoutMs: 120_000, intervalMs: 200, message: 'the triggered study' },
    );
    expect(study.baseVersion?.versionId).toBe(checkpoint.id);
    expect(study.reportVersion?.modelName).toBe('triggered-study');
    // Only the arms named, in the usual order; the others are not run.
    expect(study.spec?.arms).toEqual(['pretrained', 'naive_bayes']);
    expect(study.trialsTotal).toBe(2 * 2);
    const { study: full } = await call(api, api.getStudy, { studyId: study.id });
    expect(new Set(full!.trials.map((t) => t.arm))).toEqual(new Set(['pretrained', 'naive_bayes']));
    const { triggers } = await call(api, api.listTriggers, { baseModelName: 'tiny-bert' });
    expect(triggers.find((t) => t.id === trigger!.id)?.firedCount).toBe(1);
  });

  it('refuses bad studies with the field named', async () => {
    const expectStatus = async (request: Partial<finetune.StudySpec>, code: grpc.status, field: RegExp) => {
      const status = await statusOf(call(api, api.startStudy, { spec: spec(request), idempotencyKey: '' }));
      expect(status.code).toBe(code);
      expect(status.details).toMatch(field);
      expect(status.details.length).toBeLessThan(600);
    };
    await expectStatus({ baseModel: latest('no-such-base') }, grpc.status.NOT_FOUND, /no-such-base/);
    await expectStatus({ dataset: latest('no-dev') }, grpc.status.INVALID_ARGUMENT, /spec\.data\.dev_split/);
    await expectStatus({ labelBudgets: [500] }, grpc.status.INVALID_ARGUMENT, /spec\.label_budgets\[0\].*24/);
    await expectStatus({ seeds: 0 }, grpc.status.INVALID_ARGUMENT, /spec\.seeds/);
    await expectStatus(
      { arms: ['scratch', 'bert'] },
      grpc.status.INVALID_ARGUMENT,
      /spec\.arms\[1\].*"bert"/,
    );
    await expectStatus({ arms: ['scratch'] }, grpc.status.INVALID_ARGUMENT, /spec\.arms.*pretrained/);
    await expectStatus({ dataset: latest('tiny-bert') }, grpc.status.FAILED_PRECONDITION, /spec\.dataset/);
    await expectStatus(
      { pretrainedHyperparameters: finetune.FinetuneHyperparameters.fromPartial({ learningRate: -1 }) },
      grpc.status.INVALID_ARGUMENT,
      /spec\.pretrained_hyperparameters\.learning_rate/,
    );
    const status = await statusOf(call(api, api.getStudy, { studyId: 'st_nope' }));
    expect(status.code).toBe(grpc.status.NOT_FOUND);
  });
});
