// Requests the finetune API must refuse, each with the right status and a message that says why.
import { status as Code } from '@grpc/grpc-js';
import { common, finetune } from '@headstart/proto';
import { call, startStack, statusOf, type Stack } from './test-support/stack';
import {
  registerCheckpoint,
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  toJsonl,
  useTestBackend,
} from './test-support/tiny-task';

jest.setTimeout(120_000);

describe('finetune bad inputs', () => {
  let stack: Stack;
  let api: finetune.FinetuneServiceClient;
  const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true as const } });
  const spec = (overrides: Partial<finetune.FinetuneSpec> = {}) =>
    finetune.FinetuneSpec.fromPartial({ baseModel: latest('bert'), dataset: latest('spam'), ...overrides });
  const start = (s: finetune.FinetuneSpec) => call(api, api.startFinetune, { spec: s, idempotencyKey: '' });

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
    await stack.startService(); // no worker: jobs stay queued
    api = stack.api as finetune.FinetuneServiceClient;
    const base = await registerTinyTokenizer(stack.client);
    await registerCheckpoint(stack.client, base, 'bert', { final: true });
    await registerDataset(stack.client, 'spam', toJsonl(tinyTaskRows({ train: 5, dev: 2, test: 2 })));
    const singleClass = tinyTaskRows({ train: 5, dev: 1, test: 2 }).filter((r) => r.label === 'spam');
    await registerDataset(stack.client, 'only-spam', toJsonl(singleClass));
    await registerDataset(
      stack.client,
      'spam-csv',
      Buffer.from('body,category,split\nfree cash,spam,train\nteam lunch,ham,train\nwin,spam,test\n'),
      'csv',
    );
  });
  afterAll(() => stack?.close());

  it('an unknown label field is INVALID_ARGUMENT naming the fields there are', async () => {
    const s = await statusOf(start(spec({ data: { labelField: 'category' } as finetune.DatasetOptions })));
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(s.details).toContain(
      'unknown label field "category": the dataset\'s fields are id, text, label, split',
    );
  });

  it('a single-class dataset is INVALID_ARGUMENT', async () => {
    const s = await statusOf(start(spec({ dataset: latest('only-spam') })));
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(s.details).toMatch(/single-class dataset: the 5 training examples all have label "spam"/);
  });

  it('a label budget larger than the data is INVALID_ARGUMENT with the sizes', async () => {
    const s = await statusOf(start(spec({ data: finetune.DatasetOptions.fromPartial({ labelBudget: 11 }) })));
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(s.details).toBe('label budget 11 is larger than the 10 training examples (spam: 5, ham: 5)');
  });

  it('bad hyper-parameters are INVALID_ARGUMENT naming every field', async () => {
    const s = await statusOf(
      start(
        spec({
          hyperparameters: finetune.FinetuneHyperparameters.fromPartial({
            learningRate: Number.NaN,
            batchSize: 0,
            warmupRatio: 1,
          }),
        }),
      ),
    );
    expect(s.code).toBe(Code.INVALID_ARGUMENT);
    expect(s.details).toContain('spec.hyperparameters.learning_rate: NaN is not a finite number');
    expect(s.details).toContain('spec.hyperparameters.batch_size: 0 is not an integer');
    expect(s.details).toContain('spec.hyperparameters.warmup_ratio: 1 is not a finite number');
  });

  it('unknown references are NOT_FOUND, wrong kinds FAILED_PRECONDITION', async () => {
    expect((await statusOf(start(spec({ dataset: latest('nope') })))).code).toBe(Code.NOT_FOUND);
    expect((await statusOf(start(spec({ baseModel: latest('spam') })))).code).toBe(Code.FAILED_PRECONDITION);
    expect((await statusOf(start(spec({ dataset: latest('bert') })))).code).toBe(Code.FAILED_PRECONDITION);
  });

  it('a CSV dataset with its own field names is accepted; the job queues and can be cancelled', async () => {
    const { finetune: job } = await start(
      spec({
        dataset: latest('spam-csv'),
        data: finetune.DatasetOptions.fromPartial({ textField: 'body', labelField: 'category' }),
      }),
    );
    expect(job?.state).toBe(common.JobState.JOB_STATE_QUEUED);
    expect(job?.labels).toEqual(['ham', 'spam']);
    expect(job?.warnings.join(' ')).toMatch(/no dev examples/);
    const { finetune: cancelled } = await call(api, api.cancelFinetune, { finetuneId: job!.id });
    expect(cancelled?.state).toBe(common.JobState.JOB_STATE_CANCELLED);
    const again = await call(api, api.cancelFinetune, { finetuneId: job!.id });
    expect(again.finetune).toEqual(cancelled);
    expect((await statusOf(call(api, api.getFinetune, { finetuneId: 'ft_missing' }))).code).toBe(
      Code.NOT_FOUND,
    );
  });

  it('Classify: empty texts INVALID_ARGUMENT, unknown model NOT_FOUND, a base model FAILED_PRECONDITION', async () => {
    const empty = await statusOf(call(api, api.classify, { model: latest('bert'), texts: [] }));
    expect(empty.code).toBe(Code.INVALID_ARGUMENT);
    expect(empty.details).toMatch(/texts is empty/);
    expect(
      (await statusOf(call(api, api.classify, { model: latest('no-such-model'), texts: ['x'] }))).code,
    ).toBe(Code.NOT_FOUND);
    const baseModel = await statusOf(call(api, api.classify, { model: latest('bert'), texts: ['x'] }));
    expect(baseModel.code).toBe(Code.FAILED_PRECONDITION);
    expect(baseModel.details).toMatch(/is a BASE_MODEL, not a FINETUNED_MODEL/);
  });

  it('FillMask: no mask token INVALID_ARGUMENT, a dataset FAILED_PRECONDITION', async () => {
    const noMask = await statusOf(
      call(api, api.fillMask, { model: latest('bert'), text: 'no mask here', topK: 0 }),
    );
    expect(noMask.code).toBe(Code.INVALID_ARGUMENT);
    expect(noMask.details).toMatch(/no \[MASK\] token/);
    expect(
      (await statusOf(call(api, api.fillMask, { model: latest('spam'), text: '[MASK]', topK: 0 }))).code,
    ).toBe(Code.FAILED_PRECONDITION);
    const long = `${Array.from({ length: 40 }, () => 'team').join(' ')} [MASK]`;
    const cut = await statusOf(call(api, api.fillMask, { model: latest('bert'), text: long, topK: 0 }));
    expect(cut.code).toBe(Code.INVALID_ARGUMENT);
    expect(cut.details).toMatch(/beyond the model's max length of 24 tokens/);
  });

  it('CreateTrigger checks its condition, spec and dataset', async () => {
    const noAlias = await statusOf(
      call(api, api.createTrigger, {
        trigger: finetune.Trigger.fromPartial({
          baseModelName: 'bert',
          condition: finetune.TriggerCondition.TRIGGER_CONDITION_ALIAS,
          spec: spec(),
        }),
      }),
    );
    expect(noAlias.code).toBe(Code.INVALID_ARGUMENT);
    expect(noAlias.details).toMatch(/trigger.alias/);
    const badField = await statusOf(
      call(api, api.createTrigger, {
        trigger: finetune.Trigger.fromPartial({
          baseModelName: 'bert',
          spec: spec({ data: finetune.DatasetOptions.fromPartial({ textField: 'body' }) }),
        }),
      }),
    );
    expect(badField.code).toBe(Code.INVALID_ARGUMENT);
    expect(
      (
        await statusOf(
          call(api, api.createTrigger, {
            trigger: finetune.Trigger.fromPartial({ baseModelName: 'spam', spec: spec() }),
          }),
        )
      ).code,
    ).toBe(Code.FAILED_PRECONDITION);
    expect((await statusOf(call(api, api.deleteTrigger, { triggerId: 'tr_missing' }))).code).toBe(
      Code.NOT_FOUND,
    );
  });
});
