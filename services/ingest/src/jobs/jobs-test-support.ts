// Test support: a replica's job parts (startIngestJobs, as the service runs them) on a real nats-server,
// with runners the tests control standing in for tokenizer training. Each `parts(name)` has its own
// bucket and queue, so the tests of a file do not see each other's jobs.
import * as path from 'node:path';
import { connectEvents, type EventBus } from '@headstart/events';
import { ingest, registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { startIngestJobs, type IngestJobs, type IngestJobsOptions } from './ingest-jobs';
import type { JobContext, JobRunner } from './job-runner';
import { ingestWorkType } from './work-type';

export const KIND = ingest.JobKind.JOB_KIND_TRAIN_TOKENIZER;
const logger = createLogger({ name: 'ingest-jobs-test', level: 'silent' });

export const spec = (name: string): ingest.Job['spec'] => ({
  $case: 'trainTokenizer',
  trainTokenizer: ingest.StartTrainTokenizerRequest.fromPartial({ tokenizerName: name, vocabSize: 100 }),
});

export function version(name: string): registry.ModelVersion {
  return registry.ModelVersion.fromPartial({ id: `id-${name}`, modelName: name, version: 1 });
}

/** A runner that waits until the test opens its gate (or the job is aborted). */
export function gated() {
  const started: JobContext[] = [];
  const gates = new Map<string, () => void>();
  const runner: JobRunner = async (ctx) => {
    started.push(ctx);
    await new Promise<void>((resolve, reject) => {
      gates.set(ctx.job.id, resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return version(ctx.job.id.toLowerCase());
  };
  const open = (id: string): void => gates.get(id)!();
  return { runner, started, open };
}

export interface JobsHarness {
  readonly bus: EventBus;
  /** The job parts of a replica on queue and bucket `name`, with `runner` for every job; stopped by close(). */
  parts(name: string, runner: JobRunner, extra?: Partial<IngestJobsOptions>): Promise<IngestJobs>;
  /** The queue of `name`, as parts() configures it (with `ackWaitMs` when given). */
  workType(name: string, ackWaitMs?: number): ReturnType<typeof ingestWorkType>;
  close(): Promise<void>;
}

const queueOf = (name: string, ackWaitMs?: number) => ({
  subject: `headstart.work.ingest-${name}`,
  consumer: `ingest-${name}`,
  ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
});

export async function startJobsHarness(): Promise<JobsHarness> {
  const nats: NatsServerHandle = await startNatsServer();
  const bus = await connectEvents({ servers: nats.url, name: 'ingest-jobs-test', reconnectTimeWaitMs: 100 });
  await bus.ensureTopology();
  const dir: TempDir = await makeTempDir('ingest-jobs');
  const running: IngestJobs[] = [];
  return {
    bus,
    async parts(name, runner, extra = {}) {
      const jobs = await startIngestJobs({
        bus,
        jobsBucket: `INGEST_JOBS_${name}`,
        queue: queueOf(name),
        runners: { [KIND]: runner },
        workDir: path.join(dir.path, name),
        logger,
        progressIntervalMs: 20,
        requeueSweepMs: 0,
        exhaustedSweepMs: 0,
        ...extra,
      });
      running.push(jobs);
      return jobs;
    },
    workType: (name, ackWaitMs) => ingestWorkType(queueOf(name, ackWaitMs)),
    async close() {
      for (const jobs of running) await jobs.stop();
      await bus.close({ graceMs: 100 });
      await nats.dispose();
      await dir.remove();
    },
  };
}
