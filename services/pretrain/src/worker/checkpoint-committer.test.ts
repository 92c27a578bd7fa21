// Found by tests/faults: a registry killed -9 while a pretrain worker uploaded a checkpoint failed the
// whole attempt (UNAVAILABLE "Connection dropped"), which cost one of the run's five deliveries and the
// work queue's 10 s backoff. The committer now retries the (idempotent) registration while the registry
// is unavailable, within a bound, and still fails at once on a real refusal.
// Also found there: an attempt that died between registering its final checkpoint and recording it in the
// run (NATS killed) was resumed from that checkpoint by the next attempt, which ended the run SUCCEEDED
// with the loss and evaluation of the step before. A checkpoint adopted on resume is recorded too.
import type { CheckpointState } from '@headstart/checkpoint';
import { Code, HeadstartError } from '@headstart/errors';
import { pretrain, registry } from '@headstart/proto';
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

function committer(
  failures: HeadstartError[],
  registryRetryMs?: number,
  record = pretrain.Run.fromPartial({}),
) {
  const keys: string[] = [];
  const client = {
    createVersion: async (input: { idempotencyKey?: string }) => {
      keys.push(input.idempotencyKey ?? '');
      const failure = failures.shift();
      if (failure) throw failure;
      return { version: registry.ModelVersion.fromPartial({ modelName: 'm', version: 3 }) };
    },
  } as unknown as RegistryClient;
  const reporter = {
    update: async (fn: (run: pretrain.Run) => pretrain.Run) => void Object.assign(record, fn(record)),
    sourceTokens: () => [],
  } as unknown as RunReporter;
  const c = new CheckpointCommitter({
    client,
    target: {
      runId: 'run-1',
      modelName: 'm',
      description: '',
      tags: [],
      finalAlias: 'final',
      shards: [{ name: 's', selector: { $case: 'version', version: 1 } }],
      tokenizers: [],
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

it('records a checkpoint adopted on resume in the run, as if this attempt had registered it', async () => {
  const record = pretrain.Run.fromPartial({
    step: 8,
    loss: 9,
    evalLoss: 9,
    evalStep: 8,
    lastCheckpointStep: 8,
  });
  const { c, keys } = committer([], undefined, record);
  const final = {
    ...state,
    step: 12,
    loss: 4.5,
    final: true,
    lastEval: { step: 12, loss: 4.25, perplexity: 70 },
    bestCheckpoint: { step: 12 },
  } as unknown as CheckpointState;
  const version = registry.ModelVersion.fromPartial({ modelName: 'm', version: 9 });
  await c.adopt(version, final);
  expect(keys).toEqual([]); // nothing uploaded again
  expect(c.last).toEqual({ step: 12, version });
  expect(record).toMatchObject({
    step: 12,
    loss: 4.5,
    evalLoss: 4.25,
    evalStep: 12,
    lastCheckpointStep: 12,
    lastCheckpointVersion: 9,
    bestCheckpointVersion: 9,
    finalVersion: 9,
  });
});

it('retries the record of a checkpoint while the run records are unavailable (NATS restarting)', async () => {
  const record = pretrain.Run.fromPartial({});
  const { c } = committer([], undefined, record);
  let failures = 2;
  const reporter = (c as unknown as { options: { reporter: RunReporter } }).options.reporter;
  const update = reporter.update.bind(reporter);
  reporter.update = async (fn) => {
    if (failures-- > 0) throw unavailable();
    return update(fn);
  };
  await c.register('/x', state);
  expect(record.lastCheckpointVersion).toBe(3);
});
