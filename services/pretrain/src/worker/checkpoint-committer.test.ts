// Found by tests/faults: a registry killed -9 while a pretrain worker uploaded a checkpoint failed the
// whole attempt (UNAVAILABLE "Connection dropped"), which cost one of the run's five deliveries and the
// work queue's 10 s backoff. The committer now retries the (idempotent) registration while the registry
// is unavailable, within a bound, and still fails at once on a real refusal.
import type { CheckpointState } from '@headstart/checkpoint';
import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { createLogger } from '@headstart/service-kit';
import { CheckpointCommitter } from './checkpoint-committer';
import type { RunReporter } from './run-reporter';

const state = {
  step: 4,
  totalSteps: 12,
  tokensSeen: 100,
  loss: 3.5,
  trainingMs: 10,
  final: false,
  format: 'headstart-pretrain-checkpoint',
  formatVersion: 1,
  backend: 'cpu',
  training: { timeBudgetMs: 0 },
} as unknown as CheckpointState;

function committer(failures: HeadstartError[], registryRetryMs?: number) {
  const keys: string[] = [];
  const client = {
    uploadVersion: async (input: { idempotencyKey?: string }) => {
      keys.push(input.idempotencyKey ?? '');
      const failure = failures.shift();
      if (failure) throw failure;
      return registry.ModelVersion.fromPartial({ modelName: 'm', version: 3 });
    },
  } as unknown as RegistryClient;
  const reporter = { update: async () => undefined } as unknown as RunReporter;
  const c = new CheckpointCommitter({
    client,
    target: {
      runId: 'run-1',
      modelName: 'm',
      description: '',
      tags: [],
      finalAlias: 'final',
      shards: { name: 's', selector: { $case: 'version', version: 1 } },
      tokenizer: undefined,
    },
    checkpointsDir: '/nonexistent',
    keepLast: 1,
    reporter,
    backend: 'cpu',
    spec: {},
    logger: createLogger({ name: 'test', level: 'silent' }),
    ...(registryRetryMs === undefined ? {} : { registryRetryMs }),
  });
  return { c, keys };
}

const unavailable = () =>
  new HeadstartError(Code.UNAVAILABLE, 'the registry is unavailable (Connection dropped)');

it('retries the registration while the registry is unavailable, with the same idempotency key', async () => {
  const { c, keys } = committer([unavailable(), unavailable()]);
  const version = await c.register('/nonexistent/step.tar', state);
  expect(version.version).toBe(3);
  expect(keys).toEqual(['run-1:4', 'run-1:4', 'run-1:4']);
  expect(c.last?.step).toBe(4);
});

it('fails at once on an answer that is not transient, and after its bound on an outage', async () => {
  const refused = new HeadstartError(Code.FAILED_PRECONDITION, 'no');
  await expect(committer([refused, unavailable()]).c.register('/x', state)).rejects.toBe(refused);
  const outage = Array.from({ length: 1_000 }, unavailable);
  await expect(committer(outage, 300).c.register('/x', state)).rejects.toMatchObject({
    code: Code.UNAVAILABLE,
  });
});
