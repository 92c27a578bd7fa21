// Test support (not exported): nats-server, a real registry, finetune API and worker, and the tiny
// fixtures the finetune and study command tests upload through the CLI: `tokenizer.json`, a one-layer
// `checkpoint.tar` and `data.jsonl`, a two-class task (24 train, 6 dev, 8 test examples).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { selectBackend } from '@headstart/compute';
import { createFinetuneService, createFinetuneWorker } from '@headstart/finetune';
import { resolveConfig } from '@headstart/model';
import {
  DEFAULT_TRAINING,
  createSession,
  disposeSession,
  packSessionCheckpoint,
} from '@headstart/pretrain/internal';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

export interface FinetuneTestStack {
  readonly registry: Awaited<ReturnType<typeof createRegistryService>>;
  readonly service: Awaited<ReturnType<typeof createFinetuneService>>;
  readonly worker: Awaited<ReturnType<typeof createFinetuneWorker>>;
  readonly dir: TempDir;
  /** A path in the stack's temporary directory (where the fixtures are). */
  file(name: string): string;
}

const SPAM = ['free', 'cash', 'win', 'prize', 'offer'];
const HAM = ['team', 'meeting', 'notes', 'report', 'lunch'];
const text = (words: string[], i: number) =>
  Array.from({ length: 6 }, (_, j) => words[(i * 3 + j * 7) % 5]).join(' ');

async function writeFixtures(dir: TempDir): Promise<void> {
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
      await packSessionCheckpoint(session, { runId: 'cli-test', spec: {}, final: true, backend: 'cpu' }),
    );
  } finally {
    disposeSession(session);
  }
}

/** Starts the stack in beforeAll and stops it in afterAll; the getter is valid in between. */
export function useFinetuneTestStack(name: string): () => FinetuneTestStack {
  let nats: NatsServerHandle | undefined;
  let stack: FinetuneTestStack | undefined;
  beforeAll(async () => {
    const logger = createLogger({ name, level: 'silent' });
    await selectBackend({ backend: 'cpu', logger });
    nats = await startNatsServer();
    const dir = await makeTempDir(name);
    const registry = await createRegistryService({
      dataDir: path.join(dir.path, 'registry'),
      natsUrl: nats.url,
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 1_000,
      logger,
    });
    const common = { registryAddress: registry.address, natsUrl: nats.url, backend: 'cpu' as const, logger };
    const service = await createFinetuneService({
      ...common,
      dataDir: path.join(dir.path, 'finetune'),
      host: '127.0.0.1',
      port: 0,
      drainTimeoutMs: 1_000,
    });
    const worker = await createFinetuneWorker({
      ...common,
      dataDir: path.join(dir.path, 'worker'),
      progressIntervalMs: 50,
    });
    stack = { registry, service, worker, dir, file: (f) => path.join(dir.path, f) };
    await writeFixtures(dir);
  });
  afterAll(async () => {
    await stack?.worker.shutdown('test', 1_000);
    await stack?.service.shutdown();
    await stack?.registry.shutdown();
    await nats?.dispose();
    await stack?.dir.remove();
  });
  return () => {
    if (stack === undefined) throw new Error('the finetune test stack starts in beforeAll');
    return stack;
  };
}
