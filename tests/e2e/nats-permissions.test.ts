// Per-component NATS users: a real nats-server with the authorization block generated from
// libs/events permissions.ts, each component connected with its own user (what natsSecurityOf gives the
// services), doing its job on NATS: the registry relay publishes an event, the finetune API's trigger
// consumer takes it, work is enqueued and claimed, finetune job, pretrain run and ingest job records are
// written. Forbidden actions are refused with a permissions violation.
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  NATS_USERS,
  SERVICE_SUBJECTS,
  WORK_TYPES,
  connectEvents,
  defineWorkType,
  encodeEvent,
  natsAuthorizationConf,
  natsPasswordEnv,
  type EventBus,
  type NatsComponent,
} from '@headstart/events';
import { events, finetune as ft, pretrain as pt } from '@headstart/proto';
import { createBusPublisher } from '@headstart/registry/internal';
import { createLogger, natsSecurityOf } from '@headstart/service-kit';
import {
  makeTempDir,
  startNatsServer,
  waitFor,
  type NatsServerHandle,
  type TempDir,
} from '@headstart/testing';

const password = (c: NatsComponent) => `pw-${c}-0123456789`;
// The pretrain service's work type: the topology's subject and consumer, its own item message.
const pretrainWork = defineWorkType({ ...WORK_TYPES.pretrain, codec: pt.PretrainWork });
const job = (id: string) => ft.FinetuneWork.fromPartial({ finetuneId: id });
const logger = createLogger({ name: 'nats-permissions-test', level: 'silent' });

describe('NATS users with per-component permissions', () => {
  let tmp: TempDir;
  let nats: NatsServerHandle;
  const buses: EventBus[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('nats-perms');
    const conf = path.join(tmp.path, 'nats.conf');
    // The prod form: passwords are `$NATS_PASSWORD_<COMPONENT>` variables of the server's environment.
    await writeFile(conf, natsAuthorizationConf());
    const env = Object.fromEntries(
      (Object.keys(NATS_USERS) as NatsComponent[]).map((c) => [natsPasswordEnv(c), password(c)]),
    );
    nats = await startNatsServer({ extraArgs: ['--config', conf], env });
  });
  afterAll(async () => {
    if (process.env.SHOW_NATS_LOGS) console.log(nats?.logs());
    for (const bus of buses) await bus.close({ graceMs: 100 }).catch(() => undefined);
    await nats?.dispose();
    await tmp?.remove();
  });

  /** A component's connection, exactly as its service opens it. */
  async function connectAs(component: NatsComponent): Promise<EventBus> {
    const bus = await connectEvents({
      servers: nats.url,
      name: `perm-test ${component}`,
      waitOnFirstConnect: false,
      timeoutMs: 3_000,
      ...natsSecurityOf(
        { natsUser: NATS_USERS[component].user, natsPassword: password(component) },
        nats.url,
      ),
    });
    buses.push(bus);
    return bus;
  }

  const checkpoint = (id: string) =>
    events.CheckpointRegistered.fromPartial({ version: { id }, final: true });

  it('lets each component do its work with its own user', async () => {
    // Registry: the outbox relay's publisher (creates the topology on first use, then publishes a row).
    const registry = await connectAs('registry');
    const relay = createBusPublisher({ connect: async () => registry, logger });
    await relay.publish({
      seq: 1,
      eventType: 'checkpointRegistered',
      msgId: 'v-1',
      payload: encodeEvent('checkpointRegistered', checkpoint('v-1')),
      attempts: 0,
      createdAt: new Date(),
      trace: {},
    });

    // Finetune API: the trigger consumer gets the event; it records a job in the job store (KV), enqueues
    // it, owns its exhausted items, lists and watches the records.
    const finetune = await connectAs('finetune');
    await finetune.ensureTopology();
    const seen: string[] = [];
    const triggers = await finetune.consume('finetune-triggers', async (event) => {
      if (event.type === 'checkpointRegistered') seen.push(event.message.version?.id ?? '');
    });
    await waitFor(() => seen.includes('v-1'), { timeoutMs: 10_000 });
    await triggers.stop();
    const jobsBucket = SERVICE_SUBJECTS.finetuneJobsBucket;
    const apiJobs = await finetune.js.views.kv(jobsBucket, { history: 1 });
    const jobRev = await apiJobs.create('jobs.job-1', new TextEncoder().encode('queued'));
    await apiJobs.create('idempotency.trigger-t1-v-1', new TextEncoder().encode('job-1'));
    await finetune.enqueueWork('finetune', job('job-1'), { msgId: 'job-1' });
    const watch = await finetune.onMaxDeliveries('finetune', async () => undefined, { sweepIntervalMs: 0 });
    expect(await watch.firstSweep).toEqual({ settled: 0, undetermined: 0, failed: 0 });
    expect(watch.stats.failures).toBe(0);
    await watch.stop();
    const jobChanges: string[] = [];
    const jobWatch = await apiJobs.watch({ key: 'jobs.>' });
    void (async () => {
      for await (const e of jobWatch) jobChanges.push(new TextDecoder().decode(e.value));
    })();

    // Finetune worker: pulls the job, claims it in its record (compare-and-set), hands an item back to
    // the queue, announces the end.
    const worker = await connectAs('finetune-worker');
    const workerJobs = await worker.js.views.kv(jobsBucket, { history: 1 });
    const jobs = await worker.consumeWork('finetune', async (item) => {
      await workerJobs.update(`jobs.${item.finetuneId}`, new TextEncoder().encode('running'), jobRev);
      await worker.enqueueWork('finetune', job(item.finetuneId), { msgId: `${item.finetuneId}:handback:1` });
      await worker.publish(
        'finetuneFinished',
        { jobId: item.finetuneId, versionId: '', succeeded: true, error: '', metrics: {} },
        { msgId: item.finetuneId },
      );
    });
    await waitFor(() => jobs.stats.acked >= 1 && jobChanges.includes('running'), { timeoutMs: 10_000 });
    await jobs.stop();
    jobWatch.stop();
    // The job store lists its records from the stream's subjects (libs/jobs list()).
    const listed = await finetune.jsm.streams.info(`KV_${jobsBucket}`, {
      subjects_filter: `$KV.${jobsBucket}.jobs.*`,
    });
    expect(Object.keys(listed.state.subjects ?? {})).toEqual([`$KV.${jobsBucket}.jobs.job-1`]);

    // Pretrain API: run records in the KV bucket, the work queue, its exhausted runs, live progress.
    const pretrainApi = await connectAs('pretrain');
    await pretrainApi.ensureTopology();
    const apiKv = await pretrainApi.js.views.kv(SERVICE_SUBJECTS.pretrainRunsBucket, { history: 1 });
    const rev = await apiKv.create('runs.r1', new TextEncoder().encode('queued'));
    await pretrainApi.enqueueWork(pretrainWork, { runId: 'r1', requeues: 0 }, { msgId: 'r1' });
    const runWatch = await pretrainApi.onMaxDeliveries(pretrainWork, async () => undefined, {
      sweepIntervalMs: 0,
    });
    expect((await runWatch.firstSweep).failed).toBe(0);
    await runWatch.stop();
    const progress: string[] = [];
    const progressSub = pretrainApi.nc.subscribe(`${SERVICE_SUBJECTS.pretrainProgress}.r1`, {
      callback: (_err, msg) => progress.push(new TextDecoder().decode(msg.data)),
    });
    await pretrainApi.nc.flush();
    const watched: string[] = [];
    const kvWatch = await apiKv.watch({ key: 'runs.r1' });
    void (async () => {
      for await (const e of kvWatch) watched.push(new TextDecoder().decode(e.value));
    })();

    // Pretrain worker: pulls the run, updates its record (compare-and-set), reports progress.
    const pretrainWorker = await connectAs('pretrain-worker');
    await pretrainWorker.ensureTopology();
    const workerKv = await pretrainWorker.js.views.kv(SERVICE_SUBJECTS.pretrainRunsBucket, { history: 1 });
    const runs = await pretrainWorker.consumeWork(pretrainWork, async (item) => {
      await workerKv.update(`runs.${item.runId}`, new TextEncoder().encode('running'), rev);
      pretrainWorker.nc.publish(
        `${SERVICE_SUBJECTS.pretrainProgress}.${item.runId}`,
        new TextEncoder().encode('step 1'),
      );
    });
    await waitFor(() => runs.stats.acked === 1 && progress.length === 1 && watched.includes('running'), {
      timeoutMs: 10_000,
    });
    const keys: string[] = [];
    for await (const key of await apiKv.keys('runs.*')) keys.push(key);
    expect(keys).toEqual(['runs.r1']);
    expect(new TextDecoder().decode((await apiKv.get('runs.r1'))?.value)).toBe('running');
    await runs.stop();
    kvWatch.stop();
    progressSub.unsubscribe();

    // Ingest (its API and its worker in one process): job records in its bucket (create, watch, update,
    // list, remove), its work queue (enqueue and pull) and its exhausted items.
    const ingest = await connectAs('ingest');
    await ingest.ensureTopology();
    const jobsKv = await ingest.js.views.kv(SERVICE_SUBJECTS.ingestJobsBucket, { history: 1 });
    const ingestJobRev = await jobsKv.create('jobs.j1', new TextEncoder().encode('queued'));
    const jobStates: string[] = [];
    const ingestJobWatch = await jobsKv.watch({ key: 'jobs.j1' });
    void (async () => {
      for await (const e of ingestJobWatch) jobStates.push(new TextDecoder().decode(e.value));
    })();
    const exhaustedJobs = await ingest.onMaxDeliveries('ingest', async () => undefined, {
      sweepIntervalMs: 0,
    });
    expect((await exhaustedJobs.firstSweep).failed).toBe(0);
    await exhaustedJobs.stop();
    const ingestWorker = await ingest.consumeWork('ingest', async (item) => {
      await jobsKv.update(`jobs.${item.jobId}`, new TextEncoder().encode('running'), ingestJobRev);
    });
    await ingest.enqueueWork('ingest', { jobId: 'j1', requeues: 0 }, { msgId: 'j1' });
    await waitFor(() => ingestWorker.stats.acked === 1 && jobStates.includes('running'), {
      timeoutMs: 10_000,
    });
    await ingestWorker.stop();
    ingestJobWatch.stop();
    const jobKeys: string[] = [];
    for await (const key of await jobsKv.keys('jobs.*')) jobKeys.push(key);
    expect(jobKeys).toEqual(['jobs.j1']);
    await jobsKv.purge('jobs.j1');
    expect(await jobsKv.get('jobs.j1')).toMatchObject({ operation: 'PURGE' });
    await relay.close();
    // Nothing any of them did was refused (the server logs every violation).
    expect(nats.logs()).not.toMatch(/Violation/i);
  });

  /** The error a forbidden action ends with: nats.js names the permissions violation. */
  const violation = /permissions? violation/i;

  it('refuses what a component has no business doing', async () => {
    const worker = await connectAs('finetune-worker');
    // A finetune worker publishing a registry event.
    await expect(
      worker.publish('checkpointRegistered', checkpoint('forged'), { msgId: 'forged' }),
    ).rejects.toThrow(violation);

    // The pretrain worker writing the finetune work queue.
    const pretrainWorker = await connectAs('pretrain-worker');
    await expect(pretrainWorker.enqueueWork('finetune', job('forged'), { msgId: 'forged' })).rejects.toThrow(
      violation,
    );

    // The registry reading another user's replies, or the finetune job records' updates.
    const registry = await connectAs('registry');
    for (const subject of ['_INBOX.finetune.>', `$KV.${SERVICE_SUBJECTS.finetuneJobsBucket}.>`]) {
      const errors: string[] = [];
      const s = registry.nc.subscribe(subject, { callback: (err) => err && errors.push(err.message) });
      await registry.nc.flush();
      await waitFor(() => errors.length > 0 || s.isClosed(), { timeoutMs: 5_000 });
      expect(errors.join(' ')).toMatch(violation);
    }

    // Ingest writing the pretrain work queue, or reading the pretrain run records.
    const ingest = await connectAs('ingest');
    await expect(
      ingest.enqueueWork(pretrainWork, { runId: 'forged', requeues: 0 }, { msgId: 'forged' }),
    ).rejects.toThrow(violation);
    await expect(ingest.js.views.kv(SERVICE_SUBJECTS.pretrainRunsBucket)).rejects.toThrow(
      /violation|timeout/i,
    );

    // A finetune worker deleting a stream, or reading the pretrain run records.
    await expect(worker.jsm.streams.delete('HEADSTART_EVENTS')).rejects.toThrow(/violation|timeout/i);
    await expect(worker.js.views.kv(SERVICE_SUBJECTS.pretrainRunsBucket)).rejects.toThrow(
      /violation|timeout/i,
    );
    expect(nats.logs()).toMatch(/Publish Violation/i);
    expect(WORK_TYPES.finetune.subject).toBe('headstart.work.finetune');
  });
});
