import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { selectBackend } from '@headstart/compute';
import { createFinetuneService, createFinetuneWorker } from '@headstart/finetune';
import { resolveConfig } from '@headstart/model';
import { DEFAULT_TRAINING, createSession, disposeSession, packCheckpoint } from '@headstart/pretrain';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import {
  makeTempDir,
  startNatsServer,
  waitFor,
  type NatsServerHandle,
  type TempDir,
} from '@headstart/testing';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';
import { ExitCode } from './exit-codes';
import { cliTestRunner } from './cli-test-runner';

/* The finetune commands through runCli (the binary's path) against a real registry, finetune API, worker
   and nats-server. */

jest.setTimeout(180_000);

let nats: NatsServerHandle;
let dir: TempDir;
let registry: Awaited<ReturnType<typeof createRegistryService>>;
let service: Awaited<ReturnType<typeof createFinetuneService>>;
let worker: Awaited<ReturnType<typeof createFinetuneWorker>>;

const { cli, cliJson } = cliTestRunner(() => ({
  defaultRegistry: registry.address,
  defaultFinetune: service.address,
}));

const SPAM = ['free', 'cash', 'win', 'prize', 'offer'];
const HAM = ['team', 'meeting', 'notes', 'report', 'lunch'];
const text = (words: string[], i: number) =>
  Array.from({ length: 6 }, (_, j) => words[(i * 3 + j * 7) % 5]).join(' ');

async function writeFixtures(): Promise<void> {
  const rows: object[] = [];
  for (const [split, n] of [
    ['train', 12],
    ['dev', 3],
    ['test', 4],
  ] as const) {
    for (let i = 0; i < n; i++) {
      rows.push({ text: text(SPAM, i), label: 'spam', split }, { text: text(HAM, i), label: 'ham', split });
    }
  }
  await fs.writeFile(path.join(dir.path, 'data.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const tokenizerJson = serializeTokenizer(
    await trainWordPiece(
      [...SPAM, ...HAM].map((w) => `${w} the ${w}`),
      { vocabSize: 80, minFrequency: 1 },
    ),
  );
  await fs.writeFile(path.join(dir.path, 'tokenizer.json'), tokenizerJson);
  const config = resolveConfig({
    vocabSize: Tokenizer.fromJSON(tokenizerJson).vocabSize,
    dModel: 16,
    heads: 2,
    layers: 1,
    ff: 32,
    maxLen: 16,
    dropout: 0,
  });
  const session = createSession(config, {
    ...DEFAULT_TRAINING,
    minLearningRate: 1e-4,
    totalSteps: 1,
    tokenBudget: 0,
    seed: 3,
    seqLen: 16,
    batchSize: 2,
    backend: undefined,
  });
  try {
    await fs.writeFile(
      path.join(dir.path, 'checkpoint.tar'),
      await packCheckpoint(session, { runId: 'cli-test', spec: {}, final: true, backend: 'cpu' }),
    );
  } finally {
    disposeSession(session);
  }
}

beforeAll(async () => {
  const logger = createLogger({ name: 'cli-finetune-it', level: 'silent' });
  await selectBackend({ backend: 'cpu', logger });
  nats = await startNatsServer();
  dir = await makeTempDir('cli-finetune');
  registry = await createRegistryService({
    dataDir: path.join(dir.path, 'registry'),
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 1_000,
    logger,
  });
  const common = { registryAddress: registry.address, natsUrl: nats.url, backend: 'cpu' as const, logger };
  service = await createFinetuneService({
    ...common,
    dataDir: path.join(dir.path, 'finetune'),
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 1_000,
  });
  worker = await createFinetuneWorker({
    ...common,
    dataDir: path.join(dir.path, 'worker'),
    progressIntervalMs: 50,
  });
  await writeFixtures();
});

afterAll(async () => {
  await worker?.shutdown('test', 1_000);
  await service?.shutdown();
  await registry?.shutdown();
  await nats?.dispose();
  await dir?.remove();
});

describe('headstart finetune, triggers, classify, fill-mask', () => {
  it('a trigger fine-tunes the checkpoint uploaded after it; jobs, predictions and errors through the CLI', async () => {
    const file = (name: string) => path.join(dir.path, name);
    expect((await cli('upload', 'tok', file('tokenizer.json'), '--kind', 'tokenizer')).code).toBe(0);
    expect(
      (await cli('upload', 'tiny-spam', file('data.jsonl'), '--kind', 'dataset', '--meta', 'format=jsonl'))
        .code,
    ).toBe(0);

    const { trigger } = await cliJson<{ trigger: { id: string; condition: string } }>(
      'triggers',
      'create',
      'bert',
      '--dataset',
      'tiny-spam',
      '--on',
      'final',
      '--epochs',
      '6',
      '--batch-size',
      '8',
      '--lr',
      '0.003',
      '--seed',
      '2',
    );
    expect(trigger.condition).toBe('TRIGGER_CONDITION_FINAL_CHECKPOINT');
    expect((await cli('triggers', 'ls')).stdout).toContain(trigger.id);

    expect(
      (
        await cli(
          'upload',
          'bert',
          file('checkpoint.tar'),
          '--kind',
          'base_model',
          '--parent',
          'tok:1:tokenized_with',
          '--meta',
          'final=true',
        )
      ).code,
    ).toBe(0);
    const job = await waitFor(
      async () => {
        const { finetunes } = await cliJson<{ finetunes: { id: string; state: string }[] }>(
          'finetune',
          'ls',
          '--trigger',
          trigger.id,
        );
        return finetunes.find((f) => f.state === 'JOB_STATE_SUCCEEDED' || f.state === 'JOB_STATE_FAILED');
      },
      { timeoutMs: 120_000, message: 'the triggered job to finish' },
    );
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    const shown = await cli('finetune', 'get', job.id);
    expect(shown.stdout).toMatch(/test:\s+accuracy \d+\.\d%, macro-F1/);
    expect(shown.stdout).toContain('bert-tiny-spam:1');

    // A manual control run, followed to its end: exit 0 and the evaluation printed.
    const manual = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--from-scratch',
      '--epochs',
      '2',
      '--batch-size',
      '8',
    );
    expect(manual.stderr).toBe('');
    expect(manual.code).toBe(ExitCode.OK);
    expect(manual.stdout).toContain('bert-tiny-spam-scratch:1');

    const answer = await cliJson<{ predictions: { label: string; truncated?: boolean }[] }>(
      'classify',
      'bert-tiny-spam',
      'free cash prize win',
      'team meeting notes report',
    );
    expect(answer.predictions.map((p) => p.label)).toEqual(['spam', 'ham']);
    expect((await cli('classify', 'bert-tiny-spam', 'free cash')).stdout).toMatch(
      /spam\s+0\.\d{3}\s+no\s+free cash/,
    );

    const filled = await cliJson<{ masks: { tokens: { token: string; tokenId: number }[] }[] }>(
      'fill-mask',
      'bert',
      'free [MASK] win',
      '--top-k',
      '2',
    );
    expect(filled.masks[0]?.tokens).toHaveLength(2);

    // Errors: exit codes and messages.
    const baseModel = await cli('classify', 'bert', 'x');
    expect(baseModel.code).toBe(ExitCode.REFUSED);
    expect(baseModel.stderr).toContain('FAILED_PRECONDITION');
    const badField = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--label-field',
      'nope',
    );
    expect(badField.code).toBe(ExitCode.REFUSED);
    expect(badField.stderr).toContain('unknown label field "nope"');
    expect((await cli('triggers', 'create', 'bert', '--dataset', 'tiny-spam', '--on', 'weird')).code).toBe(
      ExitCode.REFUSED,
    );
    expect((await cli('classify', 'no-such-model', 'x')).code).toBe(ExitCode.NOT_FOUND);

    // Detached start then cancel: the job ends cancelled (or, if a worker was faster, finished).
    const detached = await cli(
      'finetune',
      'start',
      '--base',
      'bert',
      '--dataset',
      'tiny-spam',
      '--detach',
      '--epochs',
      '50',
    );
    const id = detached.stdout.trim();
    expect(id).toMatch(/^ft_/);
    expect((await cli('finetune', 'cancel', id)).code).toBe(0);
    const watched = await cli('finetune', 'watch', id);
    expect(watched.stderr).toContain('was cancelled');
    expect(watched.code).toBe(ExitCode.FAILURE);

    expect((await cli('triggers', 'rm', trigger.id)).code).toBe(0);
    expect((await cli('triggers', 'rm', trigger.id)).code).toBe(ExitCode.NOT_FOUND);
  });
});
