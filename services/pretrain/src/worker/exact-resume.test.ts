// Exact resume across process deaths: worker processes (dist/worker.js) are killed with SIGKILL between
// checkpoints; JetStream redelivers the run to a new worker process, which resumes from the last
// checkpoint — once from its local disk (same data dir), once from the registry (a fresh data dir, as a
// new pod would). Every step's loss must equal that of an uninterrupted run with the same seed — also for a
// run that mixes two sources, whose picker, per-source cursors and token counts must resume too.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { exportWeights } from '@headstart/model';
import { common, pretrain } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import type { NatsConnection } from 'nats';
import { connect } from 'nats';
import { readCheckpoint } from '@headstart/checkpoint';
import { PROGRESS_SUBJECT_PREFIX } from '../runs/progress';
import type { TestStack } from '../test-support/stack';
import { exited, startTestStack, tinyRunSpec } from '../test-support/stack';
import { useTestBackend, writeTinyShards } from '../test-support/tiny-data';

const WORKER_JS = path.resolve(__dirname, '..', '..', 'dist', 'worker.js');
const { JobState } = common;

let stack: TestStack;
let nc: NatsConnection;
/** runId → step → every loss reported for that step (a resumed run reports some steps twice). */
const losses = new Map<string, Map<number, number[]>>();
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(WORKER_JS))
    throw new Error(`${WORKER_JS} is missing: build first (pnpm exec tsc --build services/pretrain)`);
  await useTestBackend();
  stack = await startTestStack({ ackWaitMs: 2_000 });
  nc = await connect({ servers: stack.nats.url });
  nc.subscribe(`${PROGRESS_SUBJECT_PREFIX}.>`, {
    callback: (err, msg) => {
      if (err) return;
      const p = pretrain.RunProgress.decode(msg.data);
      const byStep = losses.get(p.runId) ?? new Map<number, number[]>();
      losses.set(p.runId, byStep);
      byStep.set(p.step, [...(byStep.get(p.step) ?? []), p.loss]);
    },
  });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await nc?.close();
  await stack?.close();
});

function startWorkerProcess(dataDir: string): ChildProcess {
  const child = spawn(process.execPath, [WORKER_JS], {
    env: { ...process.env, ...stack.workerEnv(dataDir), HEADSTART_PRETRAIN_PROGRESS_MS: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function killAt(child: ChildProcess, runId: string, step: number): Promise<void> {
  await waitFor(() => (losses.get(runId)?.get(step) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 1,
  });
  child.kill('SIGKILL');
  await exited(child);
}

const finished = (runId: string) =>
  waitFor(
    async () => {
      const run = await stack.client.getRun(runId);
      return run.state === JobState.JOB_STATE_SUCCEEDED || run.state === JobState.JOB_STATE_FAILED
        ? run
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );

const spec = (modelName: string) =>
  tinyRunSpec({ modelName }, { maxSteps: 150, checkpointEvery: 50, evalEvery: 25, gradAccumulation: 2 });

it('resumes after kill -9 with the losses of an uninterrupted run, from local disk and from the registry', async () => {
  // The reference: one worker process, never interrupted.
  const reference = startWorkerProcess(path.join(stack.dir.path, 'w0'));
  const a = await stack.client.startRun(spec('resume-reference'));
  expect((await finished(a.id)).state).toBe(JobState.JOB_STATE_SUCCEEDED);
  reference.kill('SIGTERM');
  await exited(reference);

  // The same run, killed twice between checkpoints.
  const podDir = path.join(stack.dir.path, 'w1');
  const first = startWorkerProcess(podDir);
  const b = await stack.client.startRun(spec('resume-killed'));
  await killAt(first, b.id, 70);
  expect((await stack.client.getRun(b.id)).lastCheckpointStep).toBe(50);
  // A corrupt checkpoint with a valid name (e.g. a disk error) is refused, never resumed from.
  const checkpoints = path.join(podDir, 'pretrain', 'runs', b.id, 'checkpoints');
  await mkdir(checkpoints, { recursive: true });
  await writeFile(path.join(checkpoints, 'step-000000065.tar'), Buffer.alloc(4096, 7));

  const second = startWorkerProcess(podDir); // same pod: resumes from its local checkpoint
  await killAt(second, b.id, 120);
  const afterSecond = await stack.client.getRun(b.id);
  expect(afterSecond.resumedFromStep).toBe(50);
  expect(afterSecond.lastCheckpointStep).toBe(100);

  startWorkerProcess(path.join(stack.dir.path, 'w2')); // a new pod: resumes from the registry
  const done = await finished(b.id);
  expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  expect(done.attempts).toBe(3);
  expect(done.resumedFromStep).toBe(100);

  const ref = losses.get(a.id) as Map<number, number[]>;
  const killed = losses.get(b.id) as Map<number, number[]>;
  expect([...ref.keys()].length).toBe(150);
  let compared = 0;
  for (let step = 1; step <= 150; step++) {
    const expected = (ref.get(step) as number[])[0] as number;
    const seen = killed.get(step) ?? [];
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const loss of seen) {
      expect(Math.abs(loss - expected)).toBeLessThanOrEqual(1e-5);
      compared++;
    }
  }
  // Steps 51-70 and 101-120 ran twice (before the kill and after the resume).
  expect(compared).toBeGreaterThanOrEqual(150 + 2 * 15);

  const finalA = await readCheckpoint(await stack.registryClient.downloadToBuffer('resume-reference@final'));
  const finalB = await readCheckpoint(await stack.registryClient.downloadToBuffer('resume-killed@final'));
  expect(finalB.state.lastEval?.loss).toBeCloseTo(finalA.state.lastEval?.loss as number, 5);
  const [wa, wb] = await Promise.all([
    exportWeights(finalA.loadModel().params),
    exportWeights(finalB.loadModel().params),
  ]);
  let maxDiff = 0;
  for (const [name, t] of Object.entries(wa)) {
    const other = wb[name]?.data as Float32Array;
    t.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (other[i] as number)))));
  }
  expect(maxDiff).toBeLessThanOrEqual(1e-5);
}, 300_000);

/** The losses of `killed` equal those of `reference` at every step, each time a step was reported. */
function expectSameLosses(reference: string, killed: string, steps: number): number {
  const ref = losses.get(reference) as Map<number, number[]>;
  const seenByStep = losses.get(killed) as Map<number, number[]>;
  expect([...ref.keys()].length).toBe(steps);
  let compared = 0;
  for (let step = 1; step <= steps; step++) {
    const expected = (ref.get(step) as number[])[0] as number;
    const seen = seenByStep.get(step) ?? [];
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const loss of seen) {
      expect(Math.abs(loss - expected)).toBeLessThanOrEqual(1e-5);
      compared++;
    }
  }
  return compared;
}

it('resumes a run mixing two sources after kill -9 with the losses and token counts of an uninterrupted one', async () => {
  // Workers of an earlier test would claim these runs too: only this test's workers may train them.
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await exited(child);
  }
  const domainPath = path.join(stack.dir.path, 'domain.shards');
  await writeTinyShards(domainPath, { seed: 5, trainDocuments: 60 });
  await stack.registryClient.uploadVersion(
    {
      modelName: 'domain-shards',
      kind: 'DATASET',
      parents: [{ ref: `tiny-wordpiece:${stack.tokenizer.version}`, relation: 'tokenized_with' }],
    },
    domainPath,
  );
  const mixedSpec = (modelName: string) =>
    tinyRunSpec(
      {
        modelName,
        shards: undefined,
        mixture: [
          { shards: { name: 'tiny-shards', selector: { $case: 'latest', latest: true } }, weight: 0.5 },
          { shards: { name: 'domain-shards', selector: { $case: 'latest', latest: true } }, weight: 0.5 },
        ],
      },
      { maxSteps: 90, checkpointEvery: 30, evalEvery: 30, gradAccumulation: 2 },
    );

  const reference = startWorkerProcess(path.join(stack.dir.path, 'm0'));
  const a = await stack.client.startRun(mixedSpec('mixed-reference'));
  const doneA = await finished(a.id);
  expect(doneA.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  reference.kill('SIGTERM');
  await exited(reference);

  const podDir = path.join(stack.dir.path, 'm1');
  const first = startWorkerProcess(podDir);
  const b = await stack.client.startRun(mixedSpec('mixed-killed'));
  await killAt(first, b.id, 35);
  expect((await stack.client.getRun(b.id)).lastCheckpointStep).toBe(30);
  const second = startWorkerProcess(podDir); // same pod: resumes from its local checkpoint
  await killAt(second, b.id, 65);
  expect((await stack.client.getRun(b.id)).resumedFromStep).toBe(30);
  startWorkerProcess(path.join(stack.dir.path, 'm2')); // a new pod: resumes from the registry
  const doneB = await finished(b.id);
  expect(doneB.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  expect(doneB.attempts).toBe(3);
  expect(doneB.resumedFromStep).toBe(60);

  // Steps 31-35 and 61-65 ran twice.
  expect(expectSameLosses(a.id, b.id, 90)).toBeGreaterThanOrEqual(90 + 2 * 5);
  expect(doneB.sourceTokens).toEqual(doneA.sourceTokens);
  const [general, domain] = doneB.sourceTokens.map((s) => s.tokens / doneB.tokensSeen);
  expect(Math.abs((general as number) - 0.5)).toBeLessThanOrEqual(0.01);
  expect(Math.abs((domain as number) - 0.5)).toBeLessThanOrEqual(0.01);

  const finalA = await readCheckpoint(await stack.registryClient.downloadToBuffer('mixed-reference@final'));
  const finalB = await readCheckpoint(await stack.registryClient.downloadToBuffer('mixed-killed@final'));
  expect(finalB.state.lastEval?.loss).toBeCloseTo(finalA.state.lastEval?.loss as number, 5);
  expect(finalB.state.rng).toEqual(finalA.state.rng);
  expect(finalB.state.sourceTokens).toEqual(finalA.state.sourceTokens);
}, 300_000);
