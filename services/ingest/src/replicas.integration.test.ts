// The point of the shared job model: a job does not depend on the replica that accepted it. A job accepted
// by a replica that goes away before running it is run by another replica's worker; a job whose worker
// process is killed (SIGKILL) in the middle is redelivered to another replica, which runs it again and
// registers one version (the job id is the registry's idempotency key).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { createIngestClient, type IngestClient } from '@headstart/ingest-client';
import { common } from '@headstart/proto';
import { makeTempDir, waitFor, type TempDir } from '@headstart/testing';
import { randomCorpus, startIngestFixture, type IngestFixture } from './ingest-test-fixture';

const { JobState } = common;
/** Short, so a killed worker's job goes to another replica within seconds (every replica agrees). */
const ACK_WAIT_MS = 2_000;

let fx: IngestFixture;
const clients: IngestClient[] = [];
beforeAll(async () => {
  // This replica only answers calls: it runs no job itself.
  fx = await startIngestFixture({ concurrency: 0, queue: { ackWaitMs: ACK_WAIT_MS } });
  await fx.client.uploadCorpus(
    { datasetName: 'small', format: 'lines' },
    Buffer.from('one two\nthree four\n'),
  );
  await fx.client.uploadCorpus({ datasetName: 'big', format: 'lines' }, Buffer.from(randomCorpus(1_200_000)));
});
afterAll(async () => {
  for (const client of clients) client.close();
  await fx?.close();
});

function clientOf(address: string): IngestClient {
  const client = createIngestClient({ address });
  clients.push(client);
  return client;
}

/** The ingest service as its own process (its dist entry point), configured by HEADSTART_* only. */
async function startProcess(dir: TempDir): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'dist', 'main.js')], {
    env: {
      ...process.env,
      HEADSTART_NATS_URL: fx.nats.url,
      HEADSTART_REGISTRY_ADDR: fx.registryAddress,
      HEADSTART_DATA_DIR: dir.path,
      HEADSTART_INGEST_HOST: '127.0.0.1',
      HEADSTART_INGEST_PORT: '0',
      HEADSTART_INGEST_ACK_WAIT_MS: String(ACK_WAIT_MS),
      HEADSTART_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ingest exited with ${code} before it was ready`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const log = JSON.parse(line) as { msg?: string; address?: string };
      if (log.msg === 'ingest ready' && log.address) resolve(log.address);
    });
  });
  return { child, address };
}

describe('jobs on any replica', () => {
  it('runs a job accepted by a replica that is gone, on another replica', async () => {
    const accepting = await fx.startReplica({ concurrency: 0 });
    const id = await clientOf(accepting.address).startTrainTokenizer({
      dataset: 'small',
      tokenizerName: 'orphan-tokenizer',
      vocabSize: 30,
    });
    await accepting.shutdown('gone');
    expect((await fx.client.getJob(id)).state).toBe(JobState.JOB_STATE_QUEUED);

    const running = await fx.startReplica({ concurrency: 1, queue: { ackWaitMs: ACK_WAIT_MS } });
    const job = await fx.client.watchJob(id);
    expect(job).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, attempts: 1 });
    expect(job.result?.modelName).toBe('orphan-tokenizer');
    await running.shutdown('done');
  });

  it('finishes once, on another replica, a job whose worker process was killed in the middle', async () => {
    const dir = await makeTempDir('ingest-it-killed');
    const killed = await startProcess(dir);
    try {
      const id = await fx.client.startTrainTokenizer({
        dataset: 'big',
        tokenizerName: 'survivor',
        vocabSize: 3000,
      });
      // Killed the moment its record says it runs the job (the job takes a fraction of a second).
      let dying = '';
      const watch = await fx.ingest.jobs.store.watch(id, ({ job }) => {
        if (job.worker === '' || dying !== '') return;
        killed.child.kill('SIGKILL');
        dying = job.worker;
      });
      await waitFor(() => dying !== '');
      watch.stop();
      expect(dying).toContain(`-${killed.child.pid}-`);
      expect((await fx.client.getJob(id)).state).toBe(JobState.JOB_STATE_RUNNING);

      await fx.startReplica({ concurrency: 1, queue: { ackWaitMs: ACK_WAIT_MS } });
      const job = await fx.client.watchJob(id);
      expect(job).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, attempts: 2, worker: '' });
      expect((await fx.registryClient.getModel('survivor')).versionCount).toBe(1);
    } finally {
      killed.child.kill('SIGKILL');
      await dir.remove();
    }
  });
});
