// Load bench (issue 14), two parts, each against real processes on loopback (a nats-server and the
// services' own dist entry points):
//   1. registry: `--clients` concurrent clients (each its own channel) for `--duration-s`, each in a closed
//      loop of GetVersion lookups (by number, by alias, latest) and, with probability `--upload-ratio`,
//      CreateVersion uploads of `--upload-kb` KiB. Every lookup of a seeded version is checked against the
//      digest it was registered with (wrong answers are counted apart from errors).
//   2. finetune: `--jobs` tiny fine-tune jobs submitted at once (StartFinetune with idempotency keys) to the
//      finetune API, trained by `--workers` worker processes; submission latency, jobs/s, queue wait and
//      run time, failures.
// Both report throughput, p50/p99 latency, errors by code (goal 0) and each process's resident memory at
// the start and the end of the load (growth).
//
// Usage (after `pnpm build`): node bench/load/dist/main.js [--duration-s 60] [--clients 64]
//        [--upload-ratio 0.2] [--upload-kb 64] [--jobs 100] [--workers 2] [--skip-registry] [--skip-finetune]
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { selectBackend } from '@headstart/compute';
import { HeadstartError } from '@headstart/errors';
import { createFinetuneClient } from '@headstart/finetune-client';
import { resolveConfig } from '@headstart/model';
import {
  DEFAULT_TRAINING,
  createSession,
  disposeSession,
  packSessionCheckpoint,
} from '@headstart/pretrain/internal';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { freePort, startNatsServer } from '@headstart/testing';
import { Tokenizer, serializeTokenizer, trainWordPiece } from '@headstart/tokenizer';

import { startProcess, type ServiceProcess } from './processes';

const { values: args } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '60' },
    clients: { type: 'string', default: '64' },
    'upload-ratio': { type: 'string', default: '0.2' },
    'upload-kb': { type: 'string', default: '64' },
    jobs: { type: 'string', default: '100' },
    workers: { type: 'string', default: '2' },
    dir: { type: 'string', default: tmpdir() },
    'skip-registry': { type: 'boolean', default: false },
    'skip-finetune': { type: 'boolean', default: false },
  },
});

const DURATION_MS = Number(args['duration-s']) * 1000;
const CLIENTS = Number(args.clients);
const UPLOAD_RATIO = Number(args['upload-ratio']);
const UPLOAD_BYTES = Number(args['upload-kb']) * 1024;
const JOBS = Number(args.jobs);
const WORKERS = Number(args.workers);
const MODELS = 8;
const SEEDED_VERSIONS = 5;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function latencyLine(label: string, samples: number[], seconds: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return (
    `  ${label.padEnd(26)} ${String(samples.length).padStart(7)} calls  ${(samples.length / seconds).toFixed(1).padStart(8)}/s` +
    `  p50 ${quantile(sorted, 0.5).toFixed(2)} ms  p99 ${quantile(sorted, 0.99).toFixed(2)} ms  max ${(sorted.at(-1) ?? NaN).toFixed(2)} ms`
  );
}

const codeOf = (err: unknown) => (err instanceof HeadstartError ? err.codeName : (err as Error).message);

function memoryLine(p: ServiceProcess, startMiB: number): string {
  const end = p.rssMiB();
  return `  ${p.name.padEnd(18)} RSS ${startMiB.toFixed(0)} MiB → ${end.toFixed(0)} MiB (${end - startMiB >= 0 ? '+' : ''}${(end - startMiB).toFixed(0)} MiB)`;
}

interface Stack {
  natsUrl: string;
  registry: ServiceProcess;
  registryAddress: string;
  stop(): Promise<void>;
}

async function startRegistry(dir: string): Promise<Stack> {
  const nats = await startNatsServer({ storeDir: path.join(dir, 'nats') });
  const port = await freePort();
  const registry = await startProcess(
    'registry',
    'services/registry/dist/main.js',
    {
      HEADSTART_NATS_URL: nats.url,
      HEADSTART_REGISTRY_HOST: '127.0.0.1',
      HEADSTART_REGISTRY_PORT: String(port),
      HEADSTART_DATA_DIR: path.join(dir, 'registry'),
    },
    /"msg":"registry ready"/,
  );
  return {
    natsUrl: nats.url,
    registry,
    registryAddress: `127.0.0.1:${port}`,
    async stop() {
      await registry.stop();
      await nats.dispose();
    },
  };
}

async function registryLoad(stack: Stack): Promise<{ errors: number; wrong: number }> {
  const seed = createRegistryClient({ address: stack.registryAddress });
  const digests = new Map<string, string>();
  for (let m = 0; m < MODELS; m++) {
    for (let v = 1; v <= SEEDED_VERSIONS; v++) {
      const version = await seed.uploadVersion(
        {
          modelName: `load-m${m}`,
          kind: 'DATASET',
          aliases: v === SEEDED_VERSIONS ? ['seeded'] : [],
        },
        randomBytes(UPLOAD_BYTES),
      );
      digests.set(`load-m${m}:${version.version}`, version.artifactSha256);
      if (v === SEEDED_VERSIONS) digests.set(`load-m${m}@seeded`, version.artifactSha256);
    }
  }
  seed.close();

  const clients: RegistryClient[] = Array.from({ length: CLIENTS }, () =>
    createRegistryClient({ address: stack.registryAddress }),
  );
  const lookups: number[] = [];
  const uploads: number[] = [];
  const errors = new Map<string, number>();
  let wrong = 0;
  const rssStart = stack.registry.rssMiB();
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, stack.registry.rssMiB())), 1_000);
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    clients.map(async (client, c) => {
      let n = 0;
      while (performance.now() < deadline) {
        n++;
        const m = (c + n) % MODELS;
        const t0 = performance.now();
        try {
          if (Math.random() < UPLOAD_RATIO) {
            const bytes = randomBytes(UPLOAD_BYTES);
            const version = await client.uploadVersion({ modelName: `load-m${m}`, kind: 'DATASET' }, bytes);
            uploads.push(performance.now() - t0);
            if (version.artifactSha256 !== createHash('sha256').update(bytes).digest('hex')) wrong++;
          } else {
            const pick = n % 3;
            const ref =
              pick === 0
                ? `load-m${m}:${1 + (n % SEEDED_VERSIONS)}`
                : pick === 1
                  ? `load-m${m}@seeded`
                  : `load-m${m}`;
            const version = await client.getVersion(ref);
            lookups.push(performance.now() - t0);
            const expected = digests.get(ref);
            if (expected !== undefined && version.artifactSha256 !== expected) wrong++;
          }
        } catch (err) {
          errors.set(codeOf(err), (errors.get(codeOf(err)) ?? 0) + 1);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  for (const client of clients) client.close();
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    [
      `registry: ${CLIENTS} clients, ${seconds.toFixed(1)} s, uploads ${UPLOAD_RATIO * 100}% of ${UPLOAD_BYTES / 1024} KiB`,
      latencyLine('GetVersion', lookups, seconds),
      latencyLine('CreateVersion (upload)', uploads, seconds),
      latencyLine('all', [...lookups, ...uploads], seconds),
      `  errors: ${errorCount}${errorCount ? ` (${[...errors].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}; wrong answers: ${wrong}`,
      memoryLine(stack.registry, rssStart),
      `  registry RSS peak ${rssPeak.toFixed(0)} MiB`,
    ].join('\n'),
  );
  return { errors: errorCount, wrong };
}

/** A tokenizer, a tiny BASE_MODEL checkpoint tokenized with it, and a labelled spam/ham dataset. */
async function registerTinyTask(client: RegistryClient): Promise<void> {
  const words = ['free', 'money', 'win', 'cash', 'meeting', 'project', 'report', 'team', 'the', 'for'];
  const tokenizerJson = serializeTokenizer(
    await trainWordPiece(
      words.map((w, i) => `${w} ${words[(i + 3) % 10]} ${w}`),
      { vocabSize: 80, minFrequency: 1 },
    ),
  );
  const tokenizer = await client.uploadVersion(
    { modelName: 'load-wordpiece', kind: 'TOKENIZER', metadata: { format: 'huggingface-tokenizer-json' } },
    Buffer.from(tokenizerJson, 'utf8'),
  );
  await selectBackend({ backend: 'cpu', logger: { info: () => undefined, warn: () => undefined } });
  const config = resolveConfig({
    vocabSize: Tokenizer.fromJSON(tokenizerJson).vocabSize,
    dModel: 16,
    heads: 2,
    layers: 1,
    ff: 32,
    maxLen: 24,
    dropout: 0,
  });
  const session = createSession(config, {
    ...DEFAULT_TRAINING,
    minLearningRate: 1e-4,
    totalSteps: 1,
    tokenBudget: 0,
    seed: 7,
    seqLen: 24,
    batchSize: 4,
    backend: undefined,
  });
  let bundle: Buffer;
  try {
    bundle = await packSessionCheckpoint(session, { runId: 'load', spec: {}, final: true, backend: 'cpu' });
  } finally {
    disposeSession(session);
  }
  await client.uploadVersion(
    {
      modelName: 'load-bert',
      kind: 'BASE_MODEL',
      metadata: { final: 'true', format: 'headstart-pretrain-checkpoint' },
      parents: [{ ref: `load-wordpiece:${tokenizer.version}`, relation: 'tokenized_with' }],
    },
    bundle,
  );
  const rows: object[] = [];
  for (const [split, n] of [
    ['train', 8],
    ['dev', 2],
    ['test', 4],
  ] as const) {
    for (let i = 0; i < n; i++) {
      rows.push({ text: `free cash win ${words[i % 10]}`, label: 'spam', split });
      rows.push({ text: `team meeting report ${words[i % 10]}`, label: 'ham', split });
    }
  }
  await client.uploadVersion(
    { modelName: 'load-spam', kind: 'DATASET', metadata: { format: 'jsonl' } },
    Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8'),
  );
}

async function finetuneLoad(stack: Stack, dir: string): Promise<{ errors: number }> {
  const client = createRegistryClient({ address: stack.registryAddress });
  await registerTinyTask(client);
  client.close();
  const port = await freePort();
  const common = {
    HEADSTART_NATS_URL: stack.natsUrl,
    HEADSTART_REGISTRY_ADDR: stack.registryAddress,
    HEADSTART_BACKEND: 'cpu',
    HEADSTART_THREADS: '1',
  };
  const api = await startProcess(
    'finetune API',
    'services/finetune/dist/main.js',
    {
      ...common,
      HEADSTART_FINETUNE_HOST: '127.0.0.1',
      HEADSTART_FINETUNE_PORT: String(port),
      HEADSTART_DATA_DIR: path.join(dir, 'finetune'),
    },
    /"msg":"finetune listening"/,
  );
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, async (_, i) =>
      startProcess(
        `finetune worker ${i + 1}`,
        'services/finetune/dist/worker.js',
        {
          ...common,
          HEADSTART_HEALTH_PORT: String(await freePort()),
          HEADSTART_DATA_DIR: path.join(dir, `finetune-worker-${i}`),
          HEADSTART_WORKER_NAME: `load-worker-${i}`,
        },
        /"msg":"finetune worker ready"/,
      ),
    ),
  );
  const processes = [api, ...workers];
  const rssStart = new Map(processes.map((p) => [p, p.rssMiB()]));
  const fin = createFinetuneClient({ address: `127.0.0.1:${port}` });
  const submits: number[] = [];
  const errors = new Map<string, number>();
  const started = performance.now();
  const ids = (
    await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const t0 = performance.now();
        try {
          const job = await fin.startFinetune(
            {
              base: 'load-bert',
              dataset: 'load-spam',
              output: 'load-bert-spam',
              epochs: 1,
              batchSize: 8,
              seed: i,
              patience: 0,
              minSteps: 0,
            },
            { idempotencyKey: `load-${i}` },
          );
          submits.push(performance.now() - t0);
          return job.id;
        } catch (err) {
          errors.set(codeOf(err), (errors.get(codeOf(err)) ?? 0) + 1);
          return undefined;
        }
      }),
    )
  ).filter((id): id is string => id !== undefined);
  const submitted = (performance.now() - started) / 1000;
  // Wait for every job to end (a poll of the API, not a fixed sleep).
  const finished = new Map<string, Awaited<ReturnType<typeof fin.getFinetune>>>();
  while (finished.size < ids.length) {
    for (const id of ids) {
      if (finished.has(id)) continue;
      const job = await fin.getFinetune(id);
      if (job.finishedAt) finished.set(id, job);
    }
    if (finished.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const seconds = (performance.now() - started) / 1000;
  const jobs = [...finished.values()];
  const failed = jobs.filter((j) => j.error !== '');
  const ms = (a: Date | undefined, b: Date | undefined) => (a && b ? b.getTime() - a.getTime() : NaN);
  const wait = jobs.map((j) => ms(j.createdAt, j.startedAt));
  const run = jobs.map((j) => ms(j.startedAt, j.finishedAt));
  const line = (label: string, xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `  ${label.padEnd(26)} p50 ${quantile(s, 0.5).toFixed(0)} ms  p99 ${quantile(s, 0.99).toFixed(0)} ms`;
  };
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0) + failed.length;
  console.log(
    [
      `finetune: ${JOBS} jobs, ${WORKERS} workers; all submitted in ${submitted.toFixed(1)} s, all ended in ${seconds.toFixed(1)} s`,
      `  throughput ${(jobs.length / seconds).toFixed(2)} jobs/s`,
      latencyLine('StartFinetune', submits, submitted),
      line('queue wait (created→started)', wait),
      line('run (started→finished)', run),
      `  errors: ${errorCount} (submit ${[...errors].map(([k, v]) => `${k} ${v}`).join(', ') || '0'}; failed jobs ${failed.length}${failed[0] ? `: ${failed[0].error}` : ''})`,
      ...processes.map((p) => memoryLine(p, rssStart.get(p) ?? 0)),
    ].join('\n'),
  );
  fin.close();
  for (const p of processes.reverse()) await p.stop();
  return { errors: errorCount };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(args.dir, 'headstart-load-'));
  console.log(
    `load bench: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const stack = await startRegistry(dir);
  let failures = 0;
  try {
    if (!args['skip-registry']) {
      const r = await registryLoad(stack);
      failures += r.errors + r.wrong;
    }
    if (!args['skip-finetune']) failures += (await finetuneLoad(stack, dir)).errors;
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
