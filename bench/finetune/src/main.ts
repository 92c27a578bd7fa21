// Finetune benchmark, in one process with real parts (nats-server, registry, finetune API and worker):
//   1. trigger latency: 100 checkpoints committed one after another, each firing a trigger; latency from
//      the registry's commit (version created_at) to the job's work item stored on JetStream (queued_at),
//      and to the job row (created_at);
//   2. pickup latency: commit → job claimed by an idle worker (started_at), 20 events;
//   3. one real fine-tune on the shipped SpamAssassin task (label budget, step cap), then Classify
//      throughput (texts/s) at batch 1 and 64 on its test emails, from a warm model cache.
// Usage: node dist/main.js [--events 100] [--pickups 20] [--data DIR] [--backend auto|cpu] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { BackendChoice } from '@headstart/compute';
import { createFinetuneClient, isTerminalFinetune, type FinetuneClient } from '@headstart/finetune-client';
import { common, registry, type finetune } from '@headstart/proto';
import { connectEvents, WORK_TYPES, STREAMS } from '@headstart/events';
import { createRegistryClient } from '@headstart/registry-client';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, waitFor } from '@headstart/testing';
import { checkpointBytes, prepareData, registerCheckpoint, registerTokenizer } from './fixtures';
import { startProcess, type ServiceProcess } from './processes';
import { round, summarize, type Summary } from './stats';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const load = () => loadavg().map((x) => round(x, 2));
const ms = (a: Date | undefined, b: Date | undefined) => (a && b ? a.getTime() - b.getTime() : Number.NaN);

async function jobFor(
  client: FinetuneClient,
  triggerId: string,
  versionId: string,
): Promise<finetune.Finetune> {
  return waitFor(
    async () => {
      const { finetunes } = await client.listFinetunes({ triggerId, pageSize: 1000 });
      return finetunes.find((f) => f.baseVersion?.versionId === versionId && f.queuedAt !== undefined);
    },
    { timeoutMs: 30_000, intervalMs: 5, message: `the job of ${versionId}` },
  );
}

async function main(): Promise<void> {
  const events = Number(arg('events', '100'));
  const pickups = Number(arg('pickups', '20'));
  const backend = arg('backend', 'auto') as BackendChoice;
  const dataDir = resolve(arg('data', join(__dirname, '..', '..', '..', '.headstart', 'data')));
  const outFile = arg(
    'out',
    join(__dirname, '..', 'results', `finetune-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  );
  const logger = createLogger({ name: 'bench-finetune', level: 'warn' });
  // Services run as child processes (see processes.ts); this process is only their client.
  const startLoad = load();
  console.log(`load average at start: ${startLoad.join(' ')} (${cpus().length} cores)`);

  const data = await prepareData(dataDir, 3_000_000);
  const dir = await makeTempDir('bench-finetune');
  const nats = await startNatsServer();
  const processes: ServiceProcess[] = [];
  const baseEnv = { HEADSTART_NATS_URL: nats.url, HEADSTART_BACKEND: backend };
  const reg = await startProcess(
    'registry',
    'services/registry/dist/main.js',
    { ...baseEnv, HEADSTART_DATA_DIR: join(dir.path, 'registry') },
    'HEADSTART_REGISTRY_PORT',
  );
  processes.push(reg);
  const service = await startProcess(
    'finetune',
    'services/finetune/dist/main.js',
    { ...baseEnv, HEADSTART_REGISTRY_ADDR: reg.address, HEADSTART_DATA_DIR: join(dir.path, 'finetune') },
    'HEADSTART_FINETUNE_PORT',
  );
  processes.push(service);
  const registryClient = createRegistryClient({ address: reg.address });
  const client = createFinetuneClient({ address: service.address });
  await registryClient.waitForReady(60_000);
  await client.waitForReady(60_000);
  const bus = await connectEvents({ servers: nats.url, name: 'bench-finetune', logger });
  const results: Record<string, unknown> = { date: new Date().toISOString(), backend, cpus: cpus().length };
  try {
    const tokenizer = await registerTokenizer(registryClient, data.tokenizerJson);
    await registryClient.createVersion(
      {
        modelName: 'spam-assassin',
        kind: registry.ModelKind.MODEL_KIND_DATASET,
        metadata: { format: 'jsonl' },
      },
      data.spamAssassin,
    );
    const smallRows = data.spamAssassin
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
    // 100 emails, both classes in every split (the first rows of the file are all ham).
    const pick = (split: string, label: string, n: number) =>
      smallRows
        .filter((l) => l.includes(`"split":"${split}"`) && l.includes(`"label":"${label}"`))
        .slice(0, n);
    const small = ['ham', 'spam'].flatMap((label) => [
      ...pick('train', label, 30),
      ...pick('dev', label, 10),
      ...pick('test', label, 10),
    ]);
    await registryClient.createVersion(
      { modelName: 'spam-small', kind: registry.ModelKind.MODEL_KIND_DATASET, metadata: { format: 'jsonl' } },
      Buffer.from(small.join('\n')),
    );
    const checkpoint = await checkpointBytes(data.config);
    console.log(`checkpoint ${(checkpoint.length / 1e6).toFixed(1)} MB, vocab ${data.config.vocabSize}`);

    // 1. Trigger latency, no worker running.
    const trigger = await client.createTrigger({
      baseModel: 'bench-bert',
      on: 'every',
      spec: { dataset: 'spam-assassin', labelBudget: 200, maxSteps: 5 },
    });
    const committed: registry.ModelVersion[] = [];
    for (let i = 0; i < events; i++)
      committed.push(await registerCheckpoint(registryClient, 'bench-bert', checkpoint, tokenizer));
    const jobs = await Promise.all(committed.map((v) => jobFor(client, trigger.id, v.id)));
    const toQueued = jobs.map((j, i) => ms(j.queuedAt, committed[i]?.createdAt));
    const toCreated = jobs.map((j, i) => ms(j.createdAt, committed[i]?.createdAt));
    results.triggerLatencyMs = {
      queued: summarize(toQueued),
      created: summarize(toCreated),
      loadAverage: load(),
    };
    console.log('commit → job queued (ms):', summarize(toQueued));
    for (const job of jobs) await client.cancelFinetune(job.id);

    // 2. Pickup latency with an idle worker.
    processes.push(
      await startProcess(
        'finetune-worker',
        'services/finetune/dist/worker.js',
        { ...baseEnv, HEADSTART_REGISTRY_ADDR: reg.address, HEADSTART_DATA_DIR: join(dir.path, 'worker') },
        'HEADSTART_HEALTH_PORT',
      ),
    );
    // The worker skips the cancelled items; wait until the queue is empty before timing pickups.
    await waitFor(
      async () => {
        const info = await bus.jsm.consumers.info(STREAMS.work.name, WORK_TYPES.finetune.consumer.name);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 300_000, intervalMs: 200, message: 'cancelled jobs drained' },
    );
    await client.deleteTrigger(trigger.id);
    const pickupTrigger = await client.createTrigger({
      baseModel: 'bench-bert-pickup',
      on: 'every',
      spec: { dataset: 'spam-small', maxSteps: 1 },
    });
    const toStarted: number[] = [];
    for (let i = 0; i < pickups; i++) {
      const version = await registerCheckpoint(registryClient, 'bench-bert-pickup', checkpoint, tokenizer);
      const job = await jobFor(client, pickupTrigger.id, version.id);
      const started = await waitFor(async () => (await client.getFinetune(job.id)).startedAt, {
        timeoutMs: 60_000,
        intervalMs: 5,
      });
      toStarted.push(ms(started, version.createdAt));
      await client.cancelFinetune(job.id);
      await waitFor(async () => isTerminalFinetune(await client.getFinetune(job.id)), { timeoutMs: 120_000 });
    }
    results.pickupLatencyMs = { started: summarize(toStarted), loadAverage: load() };
    console.log('commit → job claimed by an idle worker (ms):', summarize(toStarted));

    // 3. A real fine-tune, then Classify throughput.
    const t0 = performance.now();
    const tuned = await client.startFinetune({
      base: 'bench-bert-pickup',
      dataset: 'spam-assassin',
      output: 'bench-classifier',
      labelBudget: 400,
      epochs: 3,
      // The step count of the figures in docs/benchmarks.md (the service's default minimum is higher).
      minSteps: 0,
      batchSize: 16,
      maxLength: 128,
      seed: 1,
    });
    const done = await client.watchFinetune(tuned.id);
    const finetuneSeconds = (performance.now() - t0) / 1000;
    if (done.state !== common.JobState.JOB_STATE_SUCCEEDED)
      throw new Error(`fine-tune failed: ${done.error}`);
    results.finetune = {
      seconds: round(finetuneSeconds),
      steps: done.step,
      trainExamples: done.trainExamples,
      testExamples: done.testExamples,
      testAccuracy: round(done.test?.accuracy ?? 0, 4),
      testMacroF1: round(done.test?.macroF1 ?? 0, 4),
      stoppedEarly: done.stoppedEarly,
      note: 'base weights are a random init (no pre-training): a pipeline timing, not a quality figure',
    };
    console.log('fine-tune:', results.finetune);

    const model = 'bench-classifier';
    await client.classify(model, data.testTexts.slice(0, 64)); // load into the cache
    const throughput: Record<string, unknown> = {};
    for (const batch of [1, 64]) {
      const calls = batch === 1 ? 200 : 30;
      const latencies: number[] = [];
      let texts = 0;
      let truncated = 0;
      const start = performance.now();
      for (let c = 0; c < calls; c++) {
        const offset = (c * batch) % Math.max(1, data.testTexts.length - batch);
        const slice = data.testTexts.slice(offset, offset + batch);
        const t = performance.now();
        const answer = await client.classify(model, slice);
        latencies.push(performance.now() - t);
        texts += slice.length;
        truncated += answer.predictions.filter((p) => p.truncated).length;
      }
      const seconds = (performance.now() - start) / 1000;
      const callMs: Summary = summarize(latencies);
      throughput[`batch${batch}`] = {
        calls,
        texts,
        textsPerSecond: round(texts / seconds),
        callMs,
        truncatedShare: round(truncated / texts, 3),
      };
      console.log(
        `Classify batch ${batch}: ${round(texts / seconds)} texts/s, call p50 ${round(callMs.p50)} ms`,
      );
    }
    results.classify = { ...throughput, loadAverage: load() };
  } finally {
    client.close();
    registryClient.close();
    await bus.close();
    for (const p of processes.reverse()) await p.stop();
    await nats.dispose();
    await dir.remove();
  }
  results.loadAverage = { start: startLoad, end: load() };
  mkdirSync(join(outFile, '..'), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${outFile}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
