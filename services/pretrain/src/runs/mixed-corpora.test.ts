// Mixed corpora (issue 10): a run that reads two token-shards sets by weight, with every source pinned in
// its spec, counted in its record, progress and checkpoints, and recorded in every checkpoint's lineage;
// and the mixtures that cannot work refused before anything is queued.
import path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import type { pretrain } from '@headstart/proto';
import { common } from '@headstart/proto';
import { readCheckpoint } from '@headstart/checkpoint';
import type { TestStack } from '../test-support/stack';
import { registerOtherShards, startTestStack, tinyRunSpec, watchMessages } from '../test-support/stack';
import { writeTinyShards } from '../test-support/tiny-data';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  const domain = path.join(stack.dir.path, 'domain.shards');
  await writeTinyShards(domain, { seed: 5, trainDocuments: 60 });
  await stack.registryClient.uploadVersion(
    {
      modelName: 'domain-shards',
      kind: 'DATASET',
      parents: [{ ref: `tiny-wordpiece:${stack.tokenizer.version}`, relation: 'tokenized_with' }],
    },
    domain,
  );
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

const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true } });
const mixed = (
  modelName: string,
  mixture: pretrain.WeightedShards[],
  training: Partial<pretrain.TrainingConfig> = {},
) => tinyRunSpec({ modelName, shards: undefined, mixture }, training);

it('trains on each source by its weight, pins and counts every source, and records each in the lineage', async () => {
  const spec = mixed(
    'mixed-base',
    [
      { shards: latest('tiny-shards'), weight: 7 },
      { shards: { name: 'domain-shards', selector: { $case: 'version', version: 1 } }, weight: 3 },
    ],
    // 320 windows of 16 tokens.
    { maxSteps: 40, batchSize: 8, checkpointEvery: 20, evalEvery: 20 },
  );
  const started = await stack.client.startRun(spec);
  expect(started.spec?.shards).toBeUndefined();
  expect(started.spec?.mixture).toEqual([
    { shards: { name: 'tiny-shards', selector: { $case: 'version', version: 1 } }, weight: 7 },
    { shards: { name: 'domain-shards', selector: { $case: 'version', version: 1 } }, weight: 3 },
  ]);
  const messages = await watchMessages(stack.client, started.id);
  const run = messages.at(-1)?.run as pretrain.Run;
  expect(run.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);

  // The record: tokens per source, within 1% of the weights, summing to tokens_seen.
  expect(run.tokensSeen).toBe(40 * 8 * 16);
  const [general, domain] = run.sourceTokens;
  expect(general?.shards).toEqual({ name: 'tiny-shards', selector: { $case: 'version', version: 1 } });
  expect(domain?.shards).toEqual({ name: 'domain-shards', selector: { $case: 'version', version: 1 } });
  expect((general?.tokens ?? 0) + (domain?.tokens ?? 0)).toBe(run.tokensSeen);
  expect(Math.abs((general?.tokens ?? 0) / run.tokensSeen - 0.7)).toBeLessThanOrEqual(0.01);
  expect(Math.abs((domain?.tokens ?? 0) / run.tokensSeen - 0.3)).toBeLessThanOrEqual(0.01);

  // Progress shows the mixing as it goes.
  const progress = messages.filter((m) => m.learningRate > 0);
  expect(progress.length).toBeGreaterThan(0);
  for (const m of progress) {
    expect(m.sourceTokens).toHaveLength(2);
    expect(m.sourceTokens.reduce((sum, s) => sum + s.tokens, 0)).toBe(m.tokensSeen);
  }

  // Every checkpoint: trained_on both sources, the one tokenizer once, the counts in metadata and state.
  const final = await stack.registryClient.getVersion({
    name: 'mixed-base',
    selector: { $case: 'version', version: run.finalVersion },
  });
  const parents = final.parents.map((p) => `${p.relation} ${p.modelName}:${p.version}`);
  expect(parents).toEqual(
    expect.arrayContaining([
      'trained_on tiny-shards:1',
      'trained_on domain-shards:1',
      'tokenized_with tiny-wordpiece:1',
    ]),
  );
  expect(parents.filter((p) => p.startsWith('tokenized_with'))).toHaveLength(1);
  expect(JSON.parse(final.metadata['source_tokens'] as string)).toEqual({
    'tiny-shards:1': general?.tokens,
    'domain-shards:1': domain?.tokens,
  });
  const bundle = await readCheckpoint(
    await stack.registryClient.downloadToBuffer({
      name: 'mixed-base',
      selector: { $case: 'version', version: 1 },
    }),
  );
  expect(bundle.state.step).toBe(20);
  expect(bundle.state.sourceTokens).toHaveLength(2);
  expect(bundle.state.rng.sources).toHaveLength(2);
}, 120_000);

it('refuses sources tokenized with another tokenizer, naming both versions', async () => {
  await registerOtherShards(stack);
  const refused = await failure(
    stack.client.startRun(
      mixed('x-tokenizer', [
        { shards: latest('tiny-shards'), weight: 1 },
        { shards: latest('other-shards'), weight: 1 },
      ]),
    ),
  );
  expect(refused.code).toBe(Code.FAILED_PRECONDITION);
  expect(refused.message).toContain(
    'mixture[1].shards other-shards:1 was tokenized with other-wordpiece:1, but mixture[0].shards tiny-shards:1 with tiny-wordpiece:1',
  );
  expect(refused.details?.['field']).toBe('mixture[1].shards');
  expect((await stack.client.listRuns({ modelName: 'x-tokenizer' })).runs).toEqual([]);
});

it('refuses bad weights, the same source twice, a source that is not shards, and shards beside a mixture', async () => {
  const weight = await failure(
    stack.client.startRun(
      mixed('x-weight', [
        { shards: latest('tiny-shards'), weight: 1 },
        { shards: latest('domain-shards'), weight: -0.5 },
      ]),
    ),
  );
  expect(weight.code).toBe(Code.INVALID_ARGUMENT);
  expect(weight.message).toContain('mixture[1].weight: -0.5 is not a finite number > 0');
  expect(weight.details?.['field']).toBe('mixture[1].weight');

  const twice = await failure(
    stack.client.startRun(
      mixed('x-twice', [
        { shards: latest('tiny-shards'), weight: 1 },
        { shards: { name: 'tiny-shards', selector: { $case: 'version', version: 1 } }, weight: 1 },
      ]),
    ),
  );
  expect(twice.code).toBe(Code.INVALID_ARGUMENT);
  expect(twice.message).toContain('mixture[1].shards tiny-shards:1 is already mixture[0].shards');

  const tokenizer = await failure(
    stack.client.startRun(
      mixed('x-kind', [
        { shards: latest('tiny-shards'), weight: 1 },
        { shards: latest('tiny-wordpiece'), weight: 1 },
      ]),
    ),
  );
  expect(tokenizer.code).toBe(Code.FAILED_PRECONDITION);
  expect(tokenizer.message).toContain('mixture[1].shards tiny-wordpiece:1 is not a token-shards dataset');

  const missing = await failure(
    stack.client.startRun(
      mixed('x-missing', [
        { shards: latest('tiny-shards'), weight: 1 },
        { shards: latest('no-such-shards'), weight: 1 },
      ]),
    ),
  );
  expect(missing.code).toBe(Code.NOT_FOUND);
  expect(missing.message).toContain('mixture[1].shards no-such-shards');

  const both = await failure(
    stack.client.startRun(
      tinyRunSpec({ modelName: 'x-both', mixture: [{ shards: latest('domain-shards'), weight: 1 }] }),
    ),
  );
  expect(both.code).toBe(Code.INVALID_ARGUMENT);
  expect(both.details?.['field']).toBe('mixture');
});
