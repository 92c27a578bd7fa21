// Jobs whose workers die on every delivery: a worker that claims the job in the real job store (libs/jobs
// claimJob) and then never acks nor heartbeats (its process is gone), on a queue with a short ack wait.
// The job must end FAILED with one dead letter, whether the API was up or down when the server gave up.
import {
  EVENT_TYPES,
  STREAMS,
  WORK_TYPES,
  defineWorkType,
  maxDeliveriesSubject,
  type EventBus,
} from '@headstart/events';
import { common, events, finetune } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { claimJob, isTerminal } from '@headstart/jobs';
import type { JsMsg } from 'nats';
import { connect } from 'nats';
import type { FinetuneServiceHandle } from '../create-finetune-service';
import { startStack, type Stack } from '../test-support/stack';
import type { FinetuneJobStore } from './job-store';

const { JobState } = common;
let stack: Stack;
let queues = 0;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(() => stack?.close());

function testWorkType() {
  const n = `${process.pid}-${++queues}`;
  return defineWorkType<finetune.FinetuneWork>({
    ...WORK_TYPES.finetune,
    subject: `headstart.work.finetune-exhaust-${n}`,
    consumer: {
      ...WORK_TYPES.finetune.consumer,
      name: `finetune-exhaust-${n}`,
      ackWaitMs: 500,
      maxDeliver: 3,
    },
  });
}

function job(id: string): finetune.Finetune {
  return finetune.Finetune.fromPartial({
    id,
    state: JobState.JOB_STATE_QUEUED,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
}

/** A worker's claim of job `id` for the delivery `msg` (as job-delivery.ts makes it). */
function claim(store: FinetuneJobStore, id: string, msg: JsMsg, workType: ReturnType<typeof testWorkType>) {
  return claimJob(store, id, {
    worker: `pod-${msg.info.deliveryCount}`,
    streamSequence: msg.info.streamSequence,
    staleAfterMs: 2 * workType.consumer.ackWaitMs,
  });
}

/**
 * Worker after worker takes the item, claims the job in its record and dies before any outcome, until
 * `until` settles; the last one keeps pulling, as a restarted pod would, which is when the server gives up.
 */
async function dieOnEveryDelivery(
  bus: EventBus,
  store: FinetuneJobStore,
  workType: ReturnType<typeof testWorkType>,
  until: Promise<unknown>,
): Promise<number[]> {
  const pull = await bus.js.consumers.get(STREAMS.work.name, workType.consumer.name);
  const deliveries: number[] = [];
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    const msg: JsMsg | null = await pull.next({ expires: 1_000 });
    if (!msg) continue;
    deliveries.push(msg.info.deliveryCount);
    const item = finetune.FinetuneWork.decode(msg.data);
    await claim(store, item.finetuneId, msg, workType);
    // ...and the process is killed: no ack, no nak, no heartbeat.
  }
  return deliveries;
}

function terminal(service: FinetuneServiceHandle, id: string): Promise<finetune.Finetune> {
  return waitFor(
    async () => {
      const stored = (await service.jobStore.get(id))?.job;
      return stored && isTerminal(stored.state) ? stored : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20, message: `job ${id} finished` },
  );
}

it('fails a job whose worker dies on every delivery, with one dead letter', async () => {
  const workType = testWorkType();
  const service = await stack.startService({ workType, exhaustedSweepMs: 0 });
  try {
    await service.jobs.create(job('ft-doomed'));
    const ended = terminal(service, 'ft-doomed');
    const deliveries = await dieOnEveryDelivery(service.bus, service.jobStore, workType, ended);
    const failed = await ended;
    expect(deliveries).toEqual([1, 2, 3]);
    expect(failed.state).toBe(JobState.JOB_STATE_FAILED);
    expect(failed.errorCode).toBe('ABORTED');
    expect(failed.error).toContain('the worker died on each of 3 deliveries');
    expect(failed.error).toMatch(/last heartbeat at \S+Z from worker pod-3; see the worker logs/);
    expect(failed.attempts).toBe(3);
    expect(failed.worker).toBe('');
    expect(await service.bus.readDeadLetters(workType.consumer.name)).toMatchObject([
      { msgId: 'ft-doomed', reason: 'max_deliveries', deliveries: 3 },
    ]);
    expect(service.exhausted.stats).toMatchObject({ settled: 1, duplicates: 0 });
    expect((await service.bus.listWork(workType)).items).toEqual([]);
    // Announced as a worker would have.
    const finished = await service.bus.jsm.streams.getMessage(STREAMS.events.name, {
      last_by_subj: EVENT_TYPES.finetuneFinished.subject,
    });
    expect(events.FinetuneFinished.decode(finished.data)).toMatchObject({
      jobId: 'ft-doomed',
      succeeded: false,
      error: failed.error,
    });
  } finally {
    await stack.stopService();
  }
}, 60_000);

it('an API that was down when the server gave up fails the job at start, and fails orphaned jobs', async () => {
  const workType = testWorkType();
  let service = await stack.startService({ workType, exhaustedSweepMs: 0 });
  await service.jobs.create(job('ft-exhausted'));
  // RUNNING with no work item: one silent for 10 minutes, one that heartbeated a moment ago.
  const now = Date.now();
  for (const [id, heartbeatAt] of [
    ['ft-orphaned', now - 10 * 60_000],
    ['ft-alive', now],
  ] as const) {
    const worker = `pod-${id}`;
    await service.jobStore.create({
      job: { ...job(id), state: JobState.JOB_STATE_RUNNING, worker, updatedAt: new Date(heartbeatAt) },
      // A work item the stream never held.
      lease: { worker, streamSequence: 1_000_000, heartbeatAt },
    });
  }
  const nc = await connect({ servers: stack.nats.url });
  try {
    // Its workers die on every delivery, having claimed the job each time...
    const pull = await nc.jetstream().consumers.get(STREAMS.work.name, workType.consumer.name);
    const store = service.jobStore;
    for (let delivery = 1; delivery <= workType.consumer.maxDeliver;) {
      const msg = await pull.next({ expires: 1_000 });
      if (!msg) continue;
      expect(msg.info.deliveryCount).toBe(delivery);
      expect(await claim(store, 'ft-exhausted', msg, workType)).toMatchObject({ claimed: true });
      delivery++;
    }
    // ...and the API goes down before the server gives up on the item, which happens when a restarted
    // worker pulls again: nobody hears the advisory but this test.
    await stack.stopService();
    let gaveUp = false;
    nc.subscribe(maxDeliveriesSubject(STREAMS.work.name, workType.consumer.name), {
      max: 1,
      callback: () => (gaveUp = true),
    });
    await nc.flush();
    while (!gaveUp) expect(await pull.next({ expires: 1_000 })).toBeNull();
  } finally {
    await nc.close();
  }

  service = await stack.startService({ workType, exhaustedSweepMs: 0, orphanedAfterMs: 60_000 });
  try {
    expect(await service.exhausted.firstSweep).toEqual({ settled: 1, undetermined: 0, failed: 0 });
    const exhausted = (await service.jobStore.get('ft-exhausted'))?.job;
    expect(exhausted?.state).toBe(JobState.JOB_STATE_FAILED);
    expect(exhausted?.error).toContain('the worker died on each of 3 deliveries');
    expect(exhausted?.error).toContain('from worker pod-3');
    expect(await service.bus.readDeadLetters(workType.consumer.name)).toMatchObject([
      { msgId: 'ft-exhausted', reason: 'max_deliveries', deliveries: 3 },
    ]);
    const orphaned = (await service.jobStore.get('ft-orphaned'))?.job;
    expect(orphaned?.state).toBe(JobState.JOB_STATE_FAILED);
    expect(orphaned?.errorCode).toBe('ABORTED');
    expect(orphaned?.error).toContain('its work item is gone from the queue');
    expect(orphaned?.error).toContain('from worker pod-ft-orphaned');
    expect((await service.jobStore.get('ft-alive'))?.job.state).toBe(JobState.JOB_STATE_RUNNING);
  } finally {
    await stack.stopService();
  }
}, 60_000);
