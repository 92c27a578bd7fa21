import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { finetune } from '@headstart/proto';
import { publishDeadLetter } from './dead-letter';
import { ensureConsumer } from './ensure-topology';
import { silentLogger } from './logger';
import { maxDeliveriesSubject, type ExhaustedWork } from './max-deliveries';
import { STREAMS, WORK_TYPES, defineWorkType, type WorkTypeDef } from './topology';
import { startTestEnv, type TestEnv } from './test-support';

// Worker processes that die with SIGKILL on every delivery run the package's build (dist/), as the
// service workers do.
const EVENTS_DIST = path.resolve(__dirname, '..', 'dist', 'index.js');

const DYING_WORKER = `
const events = require(process.env.EVENTS_DIST);
const base = events.WORK_TYPES.finetune;
const def = { ...base, subject: process.env.WORK_SUBJECT,
  consumer: { ...base.consumer, ...JSON.parse(process.env.WORK_CONSUMER) } };
events.connectEvents({ servers: process.env.NATS_URL, name: 'dying-worker' })
  .then((bus) => bus.consumeWork(def, async (item, ctx) => {
    process.stdout.write(JSON.stringify({ id: item.finetuneId, delivery: ctx.deliveryCount }) + '\\n');
    process.kill(process.pid, 'SIGKILL'); // an OOM kill, mid-job
    await new Promise(() => undefined);
  }))
  .catch((err) => { console.error(err); process.exit(1); });
`;

let queues = 0;
function testWorkType(): WorkTypeDef<finetune.FinetuneWork> {
  const n = `${process.pid}-${++queues}`;
  return defineWorkType({
    ...WORK_TYPES.finetune,
    subject: `headstart.work.test-exhaust-${n}`,
    consumer: {
      ...WORK_TYPES.finetune.consumer,
      name: `test-exhaust-${n}`,
      ackWaitMs: 500,
      maxDeliver: 3,
      backoffMs: [10],
    },
  });
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A worker process that takes one delivery and dies with SIGKILL; `deliveries` gets what it saw. */
function startDyingWorker(env: TestEnv, def: WorkTypeDef<unknown>, deliveries: number[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', DYING_WORKER], {
    env: {
      ...process.env,
      EVENTS_DIST,
      NATS_URL: env.server.url,
      WORK_SUBJECT: def.subject,
      WORK_CONSUMER: JSON.stringify(def.consumer),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      deliveries.push((JSON.parse(line) as { delivery: number }).delivery);
    }
  });
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

/**
 * Starts worker after worker (as a supervisor restarting a crashed pod would) until `done` settles;
 * every worker that got a delivery must have died of SIGKILL. The last one is still pulling: killed here.
 */
async function killEveryDelivery(env: TestEnv, def: WorkTypeDef<unknown>, done: Promise<unknown>) {
  const deliveries: number[] = [];
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const child = startDyingWorker(env, def, deliveries);
    const outcome = await Promise.race([exited(child), done.then(() => 'done' as const)]);
    if (outcome === 'done') {
      child.kill('SIGKILL');
      await exited(child);
    } else {
      expect(outcome).toBe('SIGKILL');
    }
  }
  return deliveries;
}

describe('work whose worker dies on every delivery', () => {
  beforeAll(() => {
    if (!existsSync(EVENTS_DIST))
      throw new Error(`${EVENTS_DIST} is missing: build first (pnpm exec tsc --build libs/events)`);
  });

  it('is dead-lettered once from the advisory and reported to its owner', async () => {
    await using env = await startTestEnv();
    const def = testWorkType();
    const reported: ExhaustedWork<finetune.FinetuneWork>[] = [];
    const first = deferred<void>();
    const watch = await env.bus.onMaxDeliveries(
      def,
      async (work) => {
        reported.push(work);
        first.resolve();
      },
      { sweepIntervalMs: 0 },
    );
    expect(await watch.firstSweep).toEqual({ settled: 0, undetermined: 0, failed: 0 });
    const consumer = await env.bus.jsm.consumers.info(STREAMS.work.name, def.consumer.name);
    expect(consumer.config.max_deliver).toBe(3);

    await env.bus.enqueueWork(def, { finetuneId: 'ft-doomed' }, { msgId: 'ft-doomed' });
    const deliveries = await killEveryDelivery(env, def, first.promise);

    expect(deliveries).toEqual([1, 2, 3]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      item: { finetuneId: 'ft-doomed' },
      deliveries: 3,
      msgId: 'ft-doomed',
      detectedBy: 'advisory',
      deadLetter: { duplicate: false },
    });
    const letters = await env.bus.readDeadLetters(def.consumer.name);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      reason: 'max_deliveries',
      deliveries: 3,
      msgId: 'ft-doomed',
      subject: def.subject,
      streamSequence: reported[0]?.streamSequence,
    });
    expect(letters[0]?.error).toMatch(/no outcome after 3 deliveries/);
    // Settled means gone from the work queue: a later sweep finds nothing to report again.
    expect((await env.bus.listWork(def)).items).toEqual([]);
    expect(await watch.sweep()).toEqual({ settled: 0, undetermined: 0, failed: 0 });
    expect(reported).toHaveLength(1);
    expect(await env.bus.readDeadLetters(def.consumer.name)).toHaveLength(1);
  }, 60_000);

  it('is found by the sweep of an owner that was not running when the advisory fired', async () => {
    await using env = await startTestEnv();
    const def = testWorkType();
    const advisory = deferred<void>();
    const sub = env.bus.nc.subscribe(maxDeliveriesSubject(STREAMS.work.name, def.consumer.name), {
      callback: () => advisory.resolve(),
    });
    await env.bus.nc.flush();
    await env.bus.enqueueWork(def, { finetuneId: 'ft-orphan' }, { msgId: 'ft-orphan' });
    const deliveries = await killEveryDelivery(env, def, advisory.promise);
    sub.unsubscribe();
    expect(deliveries).toEqual([1, 2, 3]);
    const before = await env.bus.listWork(def);
    expect(before.items).toMatchObject([{ item: { finetuneId: 'ft-orphan' }, status: 'exhausted' }]);

    // The owner starts: its first sweep settles what the server gave up on while it was away.
    const owner = await env.connect('owner');
    const reported: ExhaustedWork<finetune.FinetuneWork>[] = [];
    const watch = await owner.onMaxDeliveries(def, async (work) => void reported.push(work), {
      sweepIntervalMs: 0,
    });
    expect(await watch.firstSweep).toEqual({ settled: 1, undetermined: 0, failed: 0 });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      item: { finetuneId: 'ft-orphan' },
      detectedBy: 'sweep',
      deliveries: 3,
      deadLetter: { duplicate: false },
    });
    expect(await owner.readDeadLetters(def.consumer.name)).toMatchObject([
      { msgId: 'ft-orphan', reason: 'max_deliveries', deliveries: 3 },
    ]);
    expect((await owner.listWork(def)).items).toEqual([]);
  }, 60_000);

  it('leaves an exhausted item it cannot tell from an in-flight one until the consumer counters can', async () => {
    await using env = await startTestEnv();
    const def = testWorkType();
    const advisory = deferred<void>();
    const sub = env.bus.nc.subscribe(maxDeliveriesSubject(STREAMS.work.name, def.consumer.name), {
      callback: () => advisory.resolve(),
    });
    await env.bus.nc.flush();
    const resolved = { ...def.consumer, stream: STREAMS.work.name, subjects: [def.subject] };
    await ensureConsumer(env.bus.jsm, resolved, true, silentLogger);
    await env.bus.enqueueWork(def, { finetuneId: 'ft-long' }, { msgId: 'ft-long' });
    await env.bus.enqueueWork(def, { finetuneId: 'ft-dead' }, { msgId: 'ft-dead' });
    const pull = await env.bus.js.consumers.get(STREAMS.work.name, def.consumer.name);
    // A healthy worker holds the first item and heartbeats it; workers that die take the second.
    const long = await pull.next({ expires: 2_000 });
    expect(long?.seq).toBe(1);
    const heartbeat = setInterval(() => long?.working(), 100);
    try {
      let dead = 0;
      while (dead < 3) {
        const msg = await pull.next({ expires: 2_000 });
        if (msg) expect(msg.seq).toBe(2);
        if (msg) dead++;
      }
      // A restarted worker pulling: the server gives up on the second item when it next looks.
      let gaveUp = false;
      void advisory.promise.then(() => (gaveUp = true));
      while (!gaveUp) expect(await pull.next({ expires: 1_000 })).toBeNull();
      sub.unsubscribe();
      const listing = await env.bus.listWork(def);
      expect(listing.inFlight).toBe(1);
      expect(listing.items.map((w) => w.status)).toEqual([
        'in_flight_or_exhausted',
        'in_flight_or_exhausted',
      ]);

      const reported: ExhaustedWork<finetune.FinetuneWork>[] = [];
      const owner = await env.connect('owner');
      const watch = await owner.onMaxDeliveries(def, async (work) => void reported.push(work), {
        sweepIntervalMs: 0,
      });
      expect(await watch.firstSweep).toEqual({ settled: 0, undetermined: 1, failed: 0 });
      expect(reported).toEqual([]);

      // The long job finishes: the ack floor moves past the exhausted item, and the next sweep is sure.
      clearInterval(heartbeat);
      await long?.ackAck();
      expect(await watch.sweep()).toEqual({ settled: 1, undetermined: 0, failed: 0 });
      expect(reported).toMatchObject([
        { item: { finetuneId: 'ft-dead' }, streamSequence: 2, detectedBy: 'sweep' },
      ]);
      expect((await owner.readDeadLetters(def.consumer.name)).map((l) => l.msgId)).toEqual(['ft-dead']);
    } finally {
      clearInterval(heartbeat);
    }
  }, 60_000);

  it('adds no second dead letter for an item its handler had dead-lettered before dying', async () => {
    await using env = await startTestEnv();
    const def = testWorkType();
    const reported: ExhaustedWork<finetune.FinetuneWork>[] = [];
    const first = deferred<void>();
    await env.bus.onMaxDeliveries(
      def,
      async (work) => {
        reported.push(work);
        first.resolve();
      },
      { sweepIntervalMs: 0 },
    );
    await env.bus.enqueueWork(def, { finetuneId: 'ft-half' }, { msgId: 'ft-half' });
    // A worker that never acks; on the last delivery it dead-letters the item and dies before its term().
    const pull = await env.bus.js.consumers.get(STREAMS.work.name, def.consumer.name);
    for (let delivery = 1; delivery <= 3;) {
      const msg = await pull.next({ expires: 2_000 });
      if (!msg) continue;
      expect(msg.info.deliveryCount).toBe(delivery);
      if (delivery === 3) {
        await publishDeadLetter(env.bus.js, msg, {
          consumer: def.consumer.name,
          reason: 'max_deliveries',
          error: 'out of memory',
          timeoutMs: 5_000,
        });
      }
      delivery++;
    }
    // The next pull (a restarted worker) makes the server give up on the item.
    const blocker = (async () => {
      while (reported.length === 0) expect(await pull.next({ expires: 1_000 })).toBeNull();
    })();
    await first.promise;
    await blocker;
    expect(reported).toHaveLength(1);
    expect(reported[0]?.deadLetter.duplicate).toBe(true);
    const letters = await env.bus.readDeadLetters(def.consumer.name);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.error).toBe('out of memory');
    expect((await env.bus.listWork(def)).items).toEqual([]);
  }, 60_000);

  it('refuses a work type whose delivery limit the library enforces', async () => {
    await using env = await startTestEnv();
    const libraryEnforced = defineWorkType({
      ...WORK_TYPES.finetune,
      consumer: { ...WORK_TYPES.finetune.consumer, maxDeliverEnforcedBy: 'consumer' },
    });
    await expect(env.bus.onMaxDeliveries(libraryEnforced, async () => undefined)).rejects.toThrow(
      /maxDeliverEnforcedBy/,
    );
  });
});
