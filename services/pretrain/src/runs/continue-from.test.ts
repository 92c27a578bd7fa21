// Continued pre-training (issue 10): a run that starts from a registered base's weights, with the base
// pinned in its spec and recorded in every checkpoint's lineage, and the requests that cannot work refused
// before anything is queued.
import { Code, HeadstartError } from '@headstart/errors';
import { loadSafetensors } from '@headstart/model';
import { common, pretrain } from '@headstart/proto';
import { readCheckpoint } from '@headstart/checkpoint';
import type { TestStack } from '../test-support/stack';
import { registerOtherShards, startTestStack, tinyRunSpec } from '../test-support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await stack.startWorker();
}, 60_000);
afterAll(() => stack.close());

async function failure(promise: Promise<unknown>): Promise<HeadstartError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadstartError);
  return err as HeadstartError;
}

/** Runs `spec` to its end. */
async function runToEnd(spec: pretrain.RunSpec): Promise<{ run: pretrain.Run }> {
  const started = await stack.client.startRun(spec);
  const run = await stack.client.watchRun(started.id);
  expect(run.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);
  return { run };
}

/** The weights of a registered checkpoint, by tensor name. */
async function weightsOf(modelName: string, version: number): Promise<Map<string, Float32Array>> {
  const bytes = await stack.registryClient.downloadToBuffer({
    name: modelName,
    selector: { $case: 'version', version },
  });
  const { tensors } = loadSafetensors((await readCheckpoint(bytes)).weights);
  return new Map(Object.entries(tensors).map(([name, t]) => [name, t.data]));
}

/** Largest absolute difference between two sets of weights with the same names. */
function maxDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, x] of a) {
    const y = b.get(name) as Float32Array;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
  }
  return max;
}

it('continues from a base: its weights, a fresh schedule, and continued_from in every checkpoint', async () => {
  const base = await runToEnd(tinyRunSpec({ modelName: 'general-base' }, { maxSteps: 20 }));
  // One step at a negligible learning rate: the checkpoint holds the weights the run started from.
  const continued = await runToEnd(
    tinyRunSpec(
      {
        modelName: 'adapted-base',
        model: undefined,
        continueFrom: { name: 'general-base', selector: { $case: 'alias', alias: 'final' } },
      },
      { maxSteps: 1, warmupSteps: 0, learningRate: 1e-9, minLearningRate: 1e-9 },
    ),
  );
  // Pinned to the version the alias named when the run started, and the base's architecture kept.
  expect(continued.run.spec?.continueFrom).toEqual({
    name: 'general-base',
    selector: { $case: 'version', version: base.run.finalVersion },
  });
  expect(continued.run.spec?.model).toMatchObject({ dModel: 16, heads: 2, layers: 1, ff: 32, maxLen: 16 });
  await runToEnd(
    tinyRunSpec(
      { modelName: 'fresh-base' },
      { maxSteps: 1, warmupSteps: 0, learningRate: 1e-9, minLearningRate: 1e-9 },
    ),
  );
  const baseWeights = await weightsOf('general-base', base.run.finalVersion);
  expect(maxDifference(await weightsOf('adapted-base', 1), baseWeights)).toBeLessThan(1e-6);
  expect(maxDifference(await weightsOf('fresh-base', 1), baseWeights)).toBeGreaterThan(1e-3);

  const checkpoint = await stack.registryClient.getVersion({
    name: 'adapted-base',
    selector: { $case: 'version', version: continued.run.finalVersion },
  });
  expect(checkpoint.parents).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        relation: 'continued_from',
        modelName: 'general-base',
        version: base.run.finalVersion,
      }),
    ]),
  );
}, 120_000);

it('refuses a base that is not a checkpoint, does not exist, or would change the architecture', async () => {
  const dataset = await failure(
    stack.client.startRun(
      tinyRunSpec({ modelName: 'x1', continueFrom: { name: 'tiny-shards', selector: undefined } }),
    ),
  );
  expect(dataset.code).toBe(Code.FAILED_PRECONDITION);
  expect(dataset.message).toContain('continue_from tiny-shards:1 is a MODEL_KIND_DATASET');

  const missing = await failure(
    stack.client.startRun(
      tinyRunSpec({ modelName: 'x2', continueFrom: { name: 'no-such-base', selector: undefined } }),
    ),
  );
  expect(missing.code).toBe(Code.NOT_FOUND);
  expect(missing.message).toContain('continue_from no-such-base');

  await runToEnd(tinyRunSpec({ modelName: 'small-base' }, { maxSteps: 4 }));
  const wider = await failure(
    stack.client.startRun(
      tinyRunSpec({
        modelName: 'x3',
        model: pretrain.ModelConfig.fromPartial({ dModel: 32, heads: 2 }),
        continueFrom: { name: 'small-base', selector: undefined },
      }),
    ),
  );
  expect(wider.code).toBe(Code.INVALID_ARGUMENT);
  expect(wider.message).toContain("model.d_model: 32 differs from small-base:1's 16");
  expect((await stack.client.listRuns({ modelName: 'x3' })).runs).toEqual([]);
}, 120_000);

it("refuses shards tokenized with another tokenizer than the base's, naming both", async () => {
  await runToEnd(tinyRunSpec({ modelName: 'tok-base' }, { maxSteps: 4 }));
  await registerOtherShards(stack);
  const refused = await failure(
    stack.client.startRun(
      tinyRunSpec({
        modelName: 'x4',
        shards: { name: 'other-shards', selector: undefined },
        continueFrom: { name: 'tok-base', selector: undefined },
      }),
    ),
  );
  expect(refused.code).toBe(Code.FAILED_PRECONDITION);
  expect(refused.message).toContain('tokenizer tiny-wordpiece:1');
  expect(refused.message).toContain('were tokenized with other-wordpiece:1');
  expect(refused.details?.['field']).toBe('shards');
});
