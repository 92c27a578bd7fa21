// Fault injection (issue 14): the stack as separate processes on loopback — nats-server, registry,
// pretrain API and worker, finetune API and worker — and seeded trials. Each trial starts a tiny
// pre-training run (its final checkpoint fires a fine-tune trigger) and kills -9 one component chosen by
// the seeded RNG at a random moment of that trial (the pretrain worker while it trains or uploads, the
// registry just after one of the trial's commits, the finetune API or worker mid-job, nats-server), then
// starts it again with the same port and data dir. After each trial: every registry blob verifies against
// its version record, the final checkpoint got exactly one fine-tune job from the trigger (no event lost,
// none done twice) and one fine-tuned version, the run's final loss equals the uninterrupted reference
// run's within 1e-5, and the clients saw only UNAVAILABLE (retried), never another error or wrong data. At
// the end, after the registry's own cleanup (a restart), no blob is left that no version references.
//
//   HEADSTART_FAULT_TRIALS=100 HEADSTART_FAULT_SEED=7 pnpm exec jest tests/faults
//
// CI size: 20 trials. HEADSTART_FAULT_TRIALS sets the number, HEADSTART_FAULT_SEED the seed (default 14).
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';

import { Code, HeadstartError } from '@headstart/errors';
import { createFinetuneClient, type FinetuneClient } from '@headstart/finetune-client';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import type { registry } from '@headstart/proto';
import { common, type pretrain } from '@headstart/proto';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import { makeTempDir, waitFor, type TempDir } from '@headstart/testing';

import { registerTinyData, seededRng, tinyRunSpec } from './fixtures';
import { COMPONENTS, startFaultStack, type Component, type FaultStack } from './processes';

const TRIALS = Number(process.env['HEADSTART_FAULT_TRIALS'] ?? 20);
const SEED = Number(process.env['HEADSTART_FAULT_SEED'] ?? 14);
const ACK_WAIT_MS = 1_000;
const MODEL = 'fault-bert';
const RESULT_MODEL = 'fault-bert-fault-spam';
const { JobState } = common;

jest.setTimeout(Math.max(170_000, TRIALS * 12_000));

/** What the clients saw: retried transient failures by code, and anything else (must stay empty). */
const seen = { retried: new Map<string, number>(), unexpected: [] as string[] };

const TRANSIENT = new Set<Code>([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]);

/** Calls `fn` until it answers; UNAVAILABLE (a killed server) is counted and retried, anything else fails. */
async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const code = err instanceof HeadstartError ? err.code : undefined;
      if (code === undefined || !TRANSIENT.has(code) || Date.now() > deadline) {
        seen.unexpected.push(`${what}: ${(err as Error).message}`);
        throw err;
      }
      const name = (err as HeadstartError).codeName;
      seen.retried.set(name, (seen.retried.get(name) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 50)); // retry backoff, not synchronisation
    }
  }
}

let dir: TempDir;
let stack: FaultStack;
let reg: RegistryClient;
let pre: PretrainClient;
let fin: FinetuneClient;
let triggerId: string;

const runSpec = () => tinyRunSpec(MODEL, 12);

async function startRun(key: string): Promise<pretrain.Run> {
  return retry('StartRun', () => pre.startRun(runSpec(), { idempotencyKey: key }));
}

async function runEnded(runId: string): Promise<pretrain.Run> {
  return waitFor(
    async () => {
      const run = await retry('GetRun', () => pre.getRun(runId));
      return run.state === JobState.JOB_STATE_SUCCEEDED ||
        run.state === JobState.JOB_STATE_FAILED ||
        run.state === JobState.JOB_STATE_CANCELLED
        ? run
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 50, message: `run ${runId} to end` },
  );
}

async function jobsOfTrigger() {
  return (await retry('ListFinetunes', () => fin.listFinetunes({ triggerId, pageSize: 1000 }))).finetunes;
}

async function jobEnded(finalVersion: number) {
  return waitFor(
    async () => {
      const job = (await jobsOfTrigger()).find(
        (j) => j.baseVersion?.modelName === MODEL && j.baseVersion.version === finalVersion,
      );
      return job &&
        (job.state === JobState.JOB_STATE_SUCCEEDED ||
          job.state === JobState.JOB_STATE_FAILED ||
          job.state === JobState.JOB_STATE_CANCELLED)
        ? job
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 50, message: `the fine-tune of ${MODEL}:${finalVersion} to end` },
  );
}

async function allVersions(): Promise<registry.ModelVersion[]> {
  return retry('SearchVersions', async () => {
    const out: registry.ModelVersion[] = [];
    for await (const v of reg.searchVersions({})) out.push(v);
    return out;
  });
}

const blobPath = (sha256: string) =>
  path.join(dir.path, 'registry', 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);

/** Every version's blob is on disk, complete, and hashes to the digest in its record. */
async function verifyBlobs(versions: registry.ModelVersion[]): Promise<string[]> {
  const problems: string[] = [];
  for (const v of versions) {
    const bytes = await readFile(blobPath(v.artifactSha256)).catch(() => undefined);
    if (!bytes) problems.push(`${v.modelName}:${v.version}: blob missing`);
    else if (bytes.length !== v.artifactSize)
      problems.push(`${v.modelName}:${v.version}: ${bytes.length} bytes, record says ${v.artifactSize}`);
    else if (createHash('sha256').update(bytes).digest('hex') !== v.artifactSha256)
      problems.push(`${v.modelName}:${v.version}: digest differs`);
  }
  return problems;
}

async function blobsOnDisk(): Promise<string[]> {
  const root = path.join(dir.path, 'registry', 'blobs', 'sha256');
  const out: string[] = [];
  for (const a of await readdir(root).catch(() => [])) {
    for (const b of await readdir(path.join(root, a))) out.push(...(await readdir(path.join(root, a, b))));
  }
  return out;
}

/** The warnings and errors every process logged (for a failure's message). */
function errorLines(): string {
  return Object.values(stack.processes)
    .flatMap((p) =>
      p.lines
        .filter((l) => /"level":("?(warn|error|fatal)"?|40|50|60)\b/.test(l))
        .map((l) => `${p.name}: ${l}`),
    )
    .slice(-30)
    .join('\n');
}

beforeAll(async () => {
  dir = await makeTempDir('faults');
  stack = await startFaultStack({ dir: dir.path, ackWaitMs: ACK_WAIT_MS });
  reg = createRegistryClient({ address: stack.registryAddress });
  pre = createPretrainClient({ address: stack.pretrainAddress, deadlineMs: 10_000 });
  fin = createFinetuneClient({ address: stack.finetuneAddress, deadlineMs: 10_000 });
  await registerTinyData(reg, dir.path);
  const trigger = await fin.createTrigger({
    baseModel: MODEL,
    on: 'final',
    spec: {
      dataset: 'fault-spam',
      epochs: 1,
      batchSize: 8,
      learningRate: 3e-3,
      seed: 4,
      patience: 0,
      minSteps: 0,
    },
  });
  triggerId = trigger.id;
}, 120_000);

afterAll(async () => {
  reg?.close();
  pre?.close();
  fin?.close();
  await stack?.close();
  await dir?.remove();
});

interface TrialResult {
  trial: number;
  component: Component;
  killedAfterMs: number;
  wallMs: number;
}

it(`loses nothing and duplicates nothing over ${TRIALS} seeded kill -9 trials`, async () => {
  const suiteStarted = Date.now();
  const rng = seededRng(SEED);
  // The reference: the same spec, no fault.
  const refRun = await runEnded((await startRun('reference')).id);
  expect(refRun.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  const refJob = await jobEnded(refRun.finalVersion);
  expect(refJob.state).toBe(JobState.JOB_STATE_SUCCEEDED);
  const refCheckpoint = await reg.getVersion(`${MODEL}:${refRun.finalVersion}`);

  const faults = new Map<Component, number>(COMPONENTS.map((c) => [c, 0]));
  const results: TrialResult[] = [];
  let lost = 0;
  let duplicated = 0;
  const problems: string[] = [];

  for (let trial = 1; trial <= TRIALS; trial++) {
    const component = COMPONENTS[Math.floor(rng() * COMPONENTS.length)] as Component;
    const fraction = rng();
    const commits = 1 + Math.floor(rng() * 4);
    const started = Date.now();
    const jobsBefore = (await jobsOfTrigger()).length;
    // Set when the trial's work is over: a fault still waiting for its moment fires then.
    let over = false;

    // The fault, concurrently with the trial's work.
    const fault = (async () => {
      if (component === 'pretrain-worker') {
        // While it trains or uploads: after its "training" line, 0-400 ms in.
        const proc = stack.processes['pretrain-worker'];
        const mark = proc.watched.length;
        await waitFor(() => (over || proc.watched.length > mark ? true : undefined), {
          timeoutMs: 60_000,
          intervalMs: 5,
        });
      } else if (component === 'registry') {
        // Just after a commit (its outbox row maybe not yet relayed) or during the next upload: after the
        // trial's n-th "version committed" (3 checkpoints, then the fine-tuned result), 0-45 ms in.
        const proc = stack.processes.registry;
        const mark = proc.watched.length;
        await waitFor(() => (over || proc.watched.length >= mark + commits ? true : undefined), {
          timeoutMs: 60_000,
          intervalMs: 2,
        });
      } else if (component === 'finetune-worker') {
        // Mid-job: once this trial's job exists and runs, 0-400 ms in.
        await waitFor(
          async () => {
            if (over) return true;
            const jobs = await jobsOfTrigger();
            // Running, or already over when a poll missed its short life.
            return jobs.length > jobsBefore &&
              jobs.some((j) => j.state !== JobState.JOB_STATE_QUEUED && !j.resultVersion)
              ? true
              : jobs.length > jobsBefore && jobs.every((j) => j.resultVersion)
                ? true
                : undefined;
          },
          { timeoutMs: 90_000, intervalMs: 20 },
        );
      }
      const window = component === 'registry' ? 45 : component.endsWith('worker') ? 400 : 600;
      const delay = Math.floor(fraction * window);
      await new Promise((resolve) => setTimeout(resolve, delay)); // the random moment of the fault
      await stack.kill(component);
      faults.set(component, (faults.get(component) ?? 0) + 1);
      const killedAfterMs = Date.now() - started;
      await stack.restart(component);
      return killedAfterMs;
    })();

    let run: pretrain.Run;
    try {
      run = await runEnded((await startRun(`trial-${trial}`)).id);
    } catch (err) {
      over = true;
      const killedAfterMs = await fault;
      problems.push(
        `trial ${trial} (${component} killed after ${killedAfterMs} ms): ${(err as Error).message}`,
      );
      console.log(`trial ${trial} (${component}) failed: ${(err as Error).message}\n${errorLines()}`);
      continue;
    }
    const killedAfterMs = await fault;
    const label = `trial ${trial} (${component} killed after ${killedAfterMs} ms)`;
    if (run.state !== JobState.JOB_STATE_SUCCEEDED) {
      problems.push(`${label}: run ${run.id} ended ${run.state}: ${run.error}`);
      lost++;
      continue;
    }
    // The resumed run's figures equal the uninterrupted run's.
    if (Math.abs(run.loss - refRun.loss) > 1e-5 || Math.abs(run.evalLoss - refRun.evalLoss) > 1e-5)
      problems.push(
        `${label}: loss ${run.loss} / eval ${run.evalLoss}, reference ${refRun.loss} / ${refRun.evalLoss}`,
      );
    const job = await jobEnded(run.finalVersion);
    if (job.state !== JobState.JOB_STATE_SUCCEEDED) {
      problems.push(`${label}: fine-tune ${job.id} ended ${job.state}: ${job.error}`);
      lost++;
    }

    // Once per checkpoint and trigger; one registered result per job; one checkpoint version per step.
    const jobs = (await jobsOfTrigger()).filter((j) => j.baseVersion?.version === run.finalVersion);
    if (jobs.length !== 1) {
      problems.push(`${label}: ${jobs.length} fine-tunes of ${MODEL}:${run.finalVersion}`);
      if (jobs.length > 1) duplicated += jobs.length - 1;
      else lost++;
    }
    const versions = await allVersions();
    const checkpoint = versions.find((v) => v.modelName === MODEL && v.version === run.finalVersion);
    const finetuned = versions.filter(
      (v) =>
        v.modelName === RESULT_MODEL &&
        v.parents.some((p) => p.relation === 'finetuned_from' && p.versionId === checkpoint?.id),
    );
    if (finetuned.length !== 1) {
      problems.push(`${label}: ${finetuned.length} fine-tuned versions of ${MODEL}:${run.finalVersion}`);
      if (finetuned.length > 1) duplicated += finetuned.length - 1;
      else lost++;
    }
    const steps = versions
      .filter((v) => v.modelName === MODEL && v.runId === run.id)
      .map((v) => v.metadata['step']);
    if (new Set(steps).size !== steps.length || steps.length !== 3) {
      problems.push(`${label}: checkpoint steps ${steps.join(',')}`);
      if (steps.length > new Set(steps).size) duplicated += steps.length - new Set(steps).size;
      else lost++;
    }
    // The final checkpoint's own figures too (what a fine-tune starts from).
    for (const metric of ['loss', 'eval_loss']) {
      const got = checkpoint?.metrics[metric] ?? NaN;
      const want = refCheckpoint.metrics[metric] ?? NaN;
      if (!(Math.abs(got - want) <= 1e-5))
        problems.push(`${label}: final checkpoint ${metric} ${got}, reference ${want}`);
    }
    // What a client downloads is what was registered.
    const bytes = await retry('Download', () => reg.downloadToBuffer(`${MODEL}:${run.finalVersion}`));
    if (createHash('sha256').update(bytes).digest('hex') !== checkpoint?.artifactSha256)
      problems.push(`${label}: the downloaded checkpoint differs from its record`);
    problems.push(...(await verifyBlobs(versions)).map((p) => `${label}: ${p}`));
    results.push({ trial, component, killedAfterMs, wallMs: Date.now() - started });
  }

  // The registry's own cleanup (at start) leaves no blob that no version references.
  await stack.kill('registry');
  await stack.restart('registry');
  const versions = await allVersions();
  const referenced = new Set(versions.map((v) => v.artifactSha256));
  const orphans = (await blobsOnDisk()).filter((sha) => !referenced.has(sha));
  problems.push(...(await verifyBlobs(versions)));

  const rows = [
    ['trials', String(TRIALS)],
    ...COMPONENTS.map((c) => [`faults: ${c}`, String(faults.get(c))]),
    [
      'client retries (UNAVAILABLE / DEADLINE_EXCEEDED)',
      [...seen.retried].map(([k, n]) => `${k} ${n}`).join(', ') || '0',
    ],
    ['other client errors', String(seen.unexpected.length)],
    ['registry versions verified', String(versions.length)],
    ['orphan blobs after cleanup', String(orphans.length)],
    ['lost', String(lost)],
    ['duplicated', String(duplicated)],
  ];
  const width = Math.max(...rows.map(([k]) => (k as string).length));
  console.log(
    [
      `fault injection: seed ${SEED}, ${TRIALS} trials, ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`,
      ...rows.map(([k, v]) => `  ${(k as string).padEnd(width)}  ${v}`),
      '  per trial (component, killed after ms, trial ms):',
      ...results.map((r) => `    ${r.trial}: ${r.component} ${r.killedAfterMs} ${r.wallMs}`),
    ].join('\n'),
  );
  expect(problems).toEqual([]);
  expect(seen.unexpected).toEqual([]);
  expect(orphans).toEqual([]);
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
});
