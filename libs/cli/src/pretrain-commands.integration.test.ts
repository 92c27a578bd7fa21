import * as path from 'node:path';
import { selectBackend } from '@headstart/compute';
import { createPretrainService, createPretrainWorker } from '@headstart/pretrain';
import { createRegistryClient } from '@headstart/registry-client';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { writeShards } from '@headstart/shards';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';

/* The pretrain commands through runCli (the binary's path) against a real registry, pretrain API, an
   in-process worker and nats-server. */

jest.setTimeout(180_000);

let nats: NatsServerHandle;
let dir: TempDir;
let registry: Awaited<ReturnType<typeof createRegistryService>>;
let service: Awaited<ReturnType<typeof createPretrainService>>;
let worker: Awaited<ReturnType<typeof createPretrainWorker>>;

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: registry.address,
  defaultPretrain: `127.0.0.1:${service.port}`,
}));

const TINY = [
  '--d-model',
  '16',
  '--heads',
  '2',
  '--layers',
  '1',
  '--ff',
  '32',
  '--seq-len',
  '16',
  '--batch',
  '4',
];
const specials = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 };
const docs = (n: number, offset: number) =>
  Array.from({ length: n }, (_, d) =>
    Array.from({ length: 30 }, (_, i) => 5 + ((d * 7 + i * 3 + offset) % 40)),
  );

beforeAll(async () => {
  const silent = createLogger({ name: 'cli-test', level: 'silent' });
  await selectBackend({ backend: 'cpu', logger: silent });
  dir = await makeTempDir('cli-pretrain');
  nats = await startNatsServer();
  registry = await createRegistryService({
    dataDir: path.join(dir.path, 'registry'),
    host: '127.0.0.1',
    port: 0,
    natsUrl: nats.url,
    logger: silent,
  });
  const shardsFile = path.join(dir.path, 'tiny.shards');
  await writeShards(
    { path: shardsFile, vocabSize: 50, tokenizerSha256: '0'.repeat(64), specialTokens: specials },
    { train: docs(40, 0), validation: docs(5, 1) },
  );
  const client = createRegistryClient({ address: registry.address });
  await client.createVersion({ modelName: 'cli-shards', kind: 'DATASET' }, shardsFile);
  const domainFile = path.join(dir.path, 'domain.shards');
  await writeShards(
    { path: domainFile, vocabSize: 50, tokenizerSha256: '0'.repeat(64), specialTokens: specials },
    { train: docs(20, 11), validation: docs(5, 12) },
  );
  await client.createVersion({ modelName: 'cli-domain', kind: 'DATASET' }, domainFile);
  client.close();
  const queue = {
    subject: 'headstart.work.pretrain-cli-test',
    consumer: 'pretrain-cli-test',
    ackWaitMs: 5_000,
  };
  const common = {
    logger: silent,
    natsUrl: nats.url,
    registryAddress: registry.address,
    runsBucket: 'CLI_TEST_RUNS',
    queue,
  };
  service = await createPretrainService({ ...common, host: '127.0.0.1', port: 0 });
  worker = await createPretrainWorker({
    ...common,
    dataDir: path.join(dir.path, 'worker'),
    backend: 'cpu',
    progressIntervalMs: 0,
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await service?.shutdown();
  await registry?.shutdown();
  await nats?.dispose();
  await dir?.remove();
});

describe('headstart pretrain', () => {
  it('starts a run, follows it to the end and shows it', async () => {
    const started = await cli(
      'pretrain',
      'start',
      '--model',
      'cli-bert',
      '--shards',
      'cli-shards:1',
      ...TINY,
      '--max-steps',
      '10',
      '--checkpoint-every',
      '5',
      '--eval-every',
      '5',
      '--eval-batches',
      '1',
      '--warmup',
      '2',
      '--tag',
      'cli',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(ExitCode.OK);
    expect(started.stdout).toMatch(/^started run run-[0-9a-f-]+: 10 steps$/m);
    expect(started.stdout).toMatch(
      /step 10\/10 {2}loss \d+\.\d{4} {2}lr \d\.\d\de-\d+ {2}[\d,]+ tok\/s {2}eta .* {2}eval \d+\.\d{4} \(ppl \d+\.\d\)/,
    );
    expect(started.stdout).toContain(': SUCCEEDED');
    const runId = (/started run (run-[0-9a-f-]+)/.exec(started.stdout) as RegExpExecArray)[1] as string;

    const shown = await cliJson<{ run: Record<string, unknown> }>('pretrain', 'get', runId);
    expect(shown.run).toMatchObject({ id: runId, state: 'JOB_STATE_SUCCEEDED', step: 10, finalVersion: 2 });
    const human = await cli('pretrain', 'get', runId);
    expect(human.stdout).toMatch(/checkpoints: +last cli-bert:2, best cli-bert:\d, final cli-bert:2/);
    const listed = await cliJson<{ runs: { id: string }[] }>(
      'pretrain',
      'ls',
      '--model',
      'cli-bert',
      '--state',
      'succeeded',
    );
    expect(listed.runs.map((r) => r.id)).toEqual([runId]);
    const table = await cli('pretrain', 'ls');
    expect(table.stdout).toMatch(new RegExp(`${runId} +SUCCEEDED +cli-bert +10/10`));
  });

  it('mixes two sources with --shards REF=WEIGHT,REF=WEIGHT and shows the tokens of each', async () => {
    const started = await cli(
      'pretrain',
      'start',
      '--model',
      'cli-mixed',
      '--shards',
      'cli-shards:1=3,cli-domain=1',
      ...TINY,
      '--max-steps',
      '10',
      '--checkpoint-every',
      '10',
      '--eval-every',
      '10',
      '--eval-batches',
      '1',
      '--warmup',
      '2',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(ExitCode.OK);
    // 10 steps of 4 windows of 16 tokens: 30 windows from cli-shards, 10 from cli-domain.
    expect(started.stdout).toMatch(/shards: +cli-shards:1 x3, cli-domain:1 x1/);
    expect(started.stdout).toMatch(/tokens: +640 \(cli-shards:1 480, cli-domain:1 160\)/);
    const refused = await cli(
      'pretrain',
      'start',
      '--model',
      'cli-mixed',
      '--shards',
      'cli-shards:1=0.5,cli-domain',
    );
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toContain('the source "cli-domain" has no =WEIGHT');
  });

  it('continues pre-training from a base with --from, pinned to its version', async () => {
    const started = await cli(
      'pretrain',
      'start',
      '--model',
      'cli-bert-adapted',
      '--shards',
      'cli-shards:1',
      '--from',
      'cli-bert@final',
      '--seq-len',
      '16',
      '--batch',
      '4',
      '--max-steps',
      '2',
      '--warmup',
      '0',
      '--eval-batches',
      '1',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(ExitCode.OK);
    const runId = (/started run (run-[0-9a-f-]+)/.exec(started.stdout) as RegExpExecArray)[1] as string;
    const shown = await cliJson<{ run: { state: string; spec: { continueFrom: unknown; model: unknown } } }>(
      'pretrain',
      'get',
      runId,
    );
    expect(shown.run.state).toBe('JOB_STATE_SUCCEEDED');
    expect(shown.run.spec.continueFrom).toEqual({ name: 'cli-bert', version: 2 });
    expect(shown.run.spec.model).toMatchObject({ dModel: 16, heads: 2, layers: 1, ff: 32 });
  }, 60_000);

  it('trains for a time budget given in minutes and ends it with the final checkpoint', async () => {
    const started = await cli(
      'pretrain',
      'start',
      '--model',
      'cli-bert-timed',
      '--shards',
      'cli-shards:1',
      ...TINY,
      '--minutes',
      '0.05',
      '--checkpoint-every',
      '1000000',
      '--eval-every',
      '1000000',
      '--eval-batches',
      '1',
      '--warmup',
      '2',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(ExitCode.OK);
    expect(started.stdout).toMatch(/^started run run-[0-9a-f-]+: a 3-s time budget$/m);
    expect(started.stdout).toMatch(/step \d+ \(100%\) {2}loss/);
    const runId = (/started run (run-[0-9a-f-]+)/.exec(started.stdout) as RegExpExecArray)[1] as string;
    const shown = await cliJson<{ run: { state: string; trainingSeconds: number; finalVersion: number } }>(
      'pretrain',
      'get',
      runId,
    );
    expect(shown.run.state).toBe('JOB_STATE_SUCCEEDED');
    expect(shown.run.finalVersion).toBe(1);
    expect(shown.run.trainingSeconds).toBeGreaterThanOrEqual(3);
    expect(shown.run.trainingSeconds).toBeLessThan(6);
  }, 60_000);

  it('refuses a time budget that is not a positive number of minutes', async () => {
    const refused = await cli(
      'pretrain',
      'start',
      '--model',
      'x',
      '--shards',
      'cli-shards:1',
      '--minutes',
      '0',
    );
    expect(refused.code).toBe(ExitCode.REFUSED);
    expect(refused.stderr).toContain('--minutes must be more than 0');
  });

  it('streams JSON lines with --json watch and cancels a run', async () => {
    const { run } = await cliJson<{ run: { id: string; state: string } }>(
      'pretrain',
      'start',
      '--detach',
      '--model',
      'cli-long',
      '--shards',
      'cli-shards',
      ...TINY,
      '--max-steps',
      '100000',
      '--checkpoint-every',
      '100000',
      '--eval-every',
      '100000',
      '--eval-batches',
      '1',
    );
    expect(run.state).toBe('JOB_STATE_QUEUED');
    const watching = cli('--json', 'pretrain', 'watch', run.id);
    const cancelled = await cli('pretrain', 'cancel', run.id);
    expect(cancelled.code).toBe(ExitCode.OK);
    expect(cancelled.stdout).toMatch(new RegExp(`run ${run.id} is (stopping at its next step|CANCELLED)`));
    const watched = await watching;
    expect(watched.code).toBe(ExitCode.FAILURE);
    expect(JSON.parse(watched.stderr)).toEqual({
      error: { code: 'CANCELLED', message: `run ${run.id} was cancelled` },
    });
    const lines = watched.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { run?: { state: string } });
    expect(lines.at(-1)?.run?.state).toBe('JOB_STATE_CANCELLED');
  });

  it('reports refused specs and unknown runs with their exit codes', async () => {
    const bad = await cli(
      'pretrain',
      'start',
      '--model',
      'x',
      '--shards',
      'cli-shards',
      '--d-model',
      '130',
      '--heads',
      '4',
    );
    expect(bad.code).toBe(ExitCode.REFUSED);
    expect(bad.stderr).toContain('model.d_model: 130 is not divisible by model.heads 4 (INVALID_ARGUMENT)');
    const missing = await cli('pretrain', 'get', 'run-missing');
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    const usage = await cli('pretrain', 'start', '--model', 'x', '--shards', 'cli-shards', '--lr', 'fast');
    expect(usage.code).toBe(ExitCode.REFUSED);
    expect(usage.stderr).toContain('--lr must be a number, got "fast"');
  });
});
