// Each (checkpoint version, trigger) yields exactly one fine-tune and one registered model, whatever
// duplicate events, redeliveries or restarts of the finetune service happen.
import { existsSync } from 'node:fs';
import type { registry } from '@headstart/proto';
import { common, finetune } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { checkpointPath } from './training/job-checkpoint';
import { call, startStack, type Stack } from './test-support/stack';
import {
  registerCheckpoint,
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  toJsonl,
  useTestBackend,
  type TinyBase,
} from './test-support/tiny-task';

const { JobState } = common;
jest.setTimeout(240_000);

describe('exactly one fine-tune per (checkpoint, trigger)', () => {
  let stack: Stack;
  let base: TinyBase;

  beforeAll(async () => {
    await useTestBackend();
    stack = await startStack();
    base = await registerTinyTokenizer(stack.client);
    await registerDataset(stack.client, 'tiny-spam', toJsonl(tinyTaskRows({ train: 12, dev: 4, test: 4 })));
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    await stack.stopWorker();
    await stack.stopService();
  });

  const api = () => stack.api as finetune.FinetuneServiceClient;

  async function createTrigger(
    baseModelName: string,
    epochs = 2,
    evalEvery?: number,
  ): Promise<finetune.Trigger> {
    const { trigger } = await call(api(), api().createTrigger, {
      trigger: finetune.Trigger.fromPartial({
        baseModelName,
        spec: {
          dataset: { name: 'tiny-spam', selector: { $case: 'latest', latest: true } },
          hyperparameters: {
            epochs,
            batchSize: 4,
            learningRate: 3e-3,
            seed: 1,
            evalEvery,
            earlyStoppingPatience: 0,
            minSteps: 0,
          },
        },
      }),
    });
    return trigger!;
  }

  async function jobsOf(trigger: finetune.Trigger): Promise<finetune.Finetune[]> {
    const { finetunes } = await call(
      api(),
      api().listFinetunes,
      finetune.ListFinetunesRequest.fromPartial({ triggerId: trigger.id }),
    );
    return finetunes;
  }

  const succeeded = async (trigger: finetune.Trigger) =>
    waitFor(
      async () => {
        const jobs = await jobsOf(trigger);
        return jobs.length > 0 && jobs.every((j) => j.state === JobState.JOB_STATE_SUCCEEDED)
          ? jobs
          : undefined;
      },
      { timeoutMs: 120_000, message: 'the fine-tune to succeed' },
    );

  async function resultVersions(name: string): Promise<registry.ModelVersion[]> {
    const page = await stack.client.searchVersionsPage({ modelName: name }, { pageSize: 100 });
    return page.versions;
  }

  it('a duplicated CheckpointRegistered event (other msg ids, as after lost acks) creates one job', async () => {
    await stack.startService();
    const worker = await stack.startWorker();
    const trigger = await createTrigger('dup-bert');
    const checkpoint = await registerCheckpoint(stack.client, base, 'dup-bert');
    // The same event again twice, as the registry would deliver it if JetStream lost the consumer's acks.
    for (const msgId of ['again-1', 'again-2']) {
      await stack.service!.bus.publish(
        'checkpointRegistered',
        { version: checkpoint, final: false },
        { msgId },
      );
    }
    const jobs = await succeeded(trigger);
    await waitFor(() => stack.service!.consumer.stats.acked >= 3, { message: 'all three events handled' });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.baseVersion?.versionId).toBe(checkpoint.id);
    expect(await resultVersions('dup-bert-tiny-spam')).toHaveLength(1);
    expect(worker.stats).toMatchObject({ started: 1, succeeded: 1 });

    // A duplicate work item (a redelivery after the job finished) is skipped, not trained again.
    await stack.service!.bus.enqueueWork(
      'finetune',
      { finetuneId: jobs[0]!.id },
      { msgId: `${jobs[0]!.id}:again` },
    );
    await waitFor(() => worker.stats.skipped === 1, { message: 'the duplicate work item skipped' });
    expect(await resultVersions('dup-bert-tiny-spam')).toHaveLength(1);
  });

  it('a handler that fails after inserting the job is redelivered and enqueues the same job once', async () => {
    let failures = 0;
    await stack.startService({
      sweepIntervalMs: 600_000, // only the redelivery may enqueue it
      afterJobInserted: async () => {
        if (failures++ === 0) throw new Error('crash between insert and enqueue');
      },
    });
    await stack.startWorker();
    const trigger = await createTrigger('redeliver-bert');
    await registerCheckpoint(stack.client, base, 'redeliver-bert');
    const jobs = await succeeded(trigger);
    expect(jobs).toHaveLength(1);
    expect(stack.service!.consumer.stats.retried).toBeGreaterThanOrEqual(1);
    expect(failures).toBe(1); // the hook runs only when a record is created: the redelivery found it
    expect(await resultVersions('redeliver-bert-tiny-spam')).toHaveLength(1);
  });

  it('a finetune service stopped between insert and enqueue enqueues the job at its restart, once', async () => {
    let release: (err: Error) => void = () => undefined;
    let inserted = 0;
    await stack.startService({
      sweepIntervalMs: 600_000,
      afterJobInserted: () => {
        inserted++;
        return new Promise<void>((_resolve, reject) => (release = reject));
      },
    });
    const trigger = await createTrigger('restart-bert');
    await registerCheckpoint(stack.client, base, 'restart-bert');
    await waitFor(() => inserted === 1, { message: 'the job record created' });
    const pending = (await stack.service!.jobStore.list()).filter((j) => j.triggerId === trigger.id);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ state: JobState.JOB_STATE_QUEUED, queuedAt: undefined });
    // Stop it mid-handler: the record exists, its work item does not, the event is not acked.
    const stopping = stack.stopService();
    release(new Error('process stopping'));
    await stopping;

    await stack.startService(); // the start-up sweep enqueues it; the redelivered event finds it
    await stack.startWorker();
    const jobs = await succeeded(trigger);
    expect(jobs.map((j) => j.id)).toEqual([pending[0]!.id]);
    await waitFor(() => stack.service!.consumer.stats.acked >= 1, {
      message: 'the redelivered event handled',
    });
    expect(await jobsOf(trigger)).toHaveLength(1);
    expect(await resultVersions('restart-bert-tiny-spam')).toHaveLength(1);
  });

  it('a finetune service restart while a worker trains gives one result', async () => {
    await stack.startService();
    const worker = await stack.startWorker();
    // 100 epochs of 3 steps: seconds of training, so the API stops while the worker trains.
    const trigger = await createTrigger('midjob-bert', 100);
    await registerCheckpoint(stack.client, base, 'midjob-bert');
    const running = await waitFor(
      async () => (await jobsOf(trigger)).find((j) => j.state === JobState.JOB_STATE_RUNNING && j.step > 0),
      { timeoutMs: 60_000, message: 'the job running' },
    );
    await stack.stopService();
    // The worker trains on without the API (it claims and settles in the job store), registers the result
    // and records the end.
    await waitFor(async () => (await resultVersions('midjob-bert-tiny-spam')).length === 1, {
      timeoutMs: 120_000,
      message: 'the result registered while the API is down',
    });
    await stack.startService();
    const jobs = await succeeded(trigger);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: running.id, attempts: 1 });
    expect(jobs[0]?.resultVersion?.modelName).toBe('midjob-bert-tiny-spam');
    await waitFor(async () => worker.stats.succeeded === 1, {
      timeoutMs: 30_000,
      message: "the worker's count",
    });
    expect(worker.stats).toMatchObject({ started: 1, succeeded: 1 });
    expect(await resultVersions('midjob-bert-tiny-spam')).toHaveLength(1);
  });

  it('a worker stopped mid-job hands it back; the next worker resumes from the job checkpoint, one result', async () => {
    await stack.startService();
    await stack.startWorker();
    // Long enough that the job cannot end within the stopping worker's grace (batches of similar length made
    // tiny steps fast).
    const trigger = await createTrigger('resume-bert', 100, 5);
    await registerCheckpoint(stack.client, base, 'resume-bert');
    const running = await waitFor(
      async () => (await jobsOf(trigger)).find((j) => j.state === JobState.JOB_STATE_RUNNING && j.step >= 12),
      { timeoutMs: 60_000, message: 'the job past its first checkpoints' },
    );
    const checkpointFile = checkpointPath(`${stack.dir.path}/worker/finetune-jobs`, running.id);
    expect(existsSync(checkpointFile)).toBe(true);
    await stack.stopWorker(); // a short grace: the job is handed back mid-training, back in the queue
    const handedBack = (await jobsOf(trigger))[0]!;
    expect(handedBack.state).toBe(JobState.JOB_STATE_QUEUED);
    expect(handedBack.step).toBeLessThan(handedBack.totalSteps);

    const second = await stack.startWorker({ name: 'second-worker' });
    const jobs = await succeeded(trigger);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: running.id, attempts: 2 });
    expect(jobs[0]!.resumedFromStep).toBeGreaterThanOrEqual(10);
    expect(jobs[0]!.resumedFromStep % 5).toBe(0);
    expect(jobs[0]!.step).toBe(jobs[0]!.totalSteps);
    expect(second.stats).toMatchObject({ started: 1, succeeded: 1 });
    expect(existsSync(checkpointFile)).toBe(false);
    expect(await resultVersions('resume-bert-tiny-spam')).toHaveLength(1);
  });
});
