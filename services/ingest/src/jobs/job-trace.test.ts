import * as path from 'node:path';
import { common, ingest, registry } from '@headstart/proto';
import { createLogger } from '@headstart/service-kit';
import { getTracer, startTelemetry, withSpan, type Telemetry } from '@headstart/telemetry';
import { makeTempDir, waitFor, type TempDir } from '@headstart/testing';
import { JobManager, type JobContext, type JobRunner } from './job-manager';
import { JobStore } from './job-store';

/* An ingest job runs later than the request that submitted it (from the queue, after the job ahead of
   it, or after a restart): its span still joins that request's trace, from the context stored with it. */

const S = common.JobState;
const KIND = ingest.JobKind.JOB_KIND_TRAIN_TOKENIZER;
const logger = createLogger({ name: 'job-trace-test', level: 'silent' });
const spec = (name: string): ingest.Job['spec'] => ({
  $case: 'trainTokenizer',
  trainTokenizer: ingest.StartTrainTokenizerRequest.fromPartial({ tokenizerName: name, vocabSize: 100 }),
});

let telemetry: Telemetry;
let dir: TempDir;
beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'ingest-test', exporter: 'memory' });
});
afterAll(async () => {
  await telemetry.shutdown();
});
beforeEach(async () => {
  dir = await makeTempDir('job-trace');
});
afterEach(async () => {
  await dir.remove();
});

/** A runner that waits until the test opens its gate (or the job is aborted). */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const runner: JobRunner = async (ctx: JobContext) => {
    started.push(ctx.job.id);
    await new Promise<void>((resolve, reject) => {
      gates.set(ctx.job.id, resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return registry.ModelVersion.fromPartial({ modelName: ctx.job.id.toLowerCase(), version: 1 });
  };
  return { runner, started, open: (id: string) => gates.get(id)!() };
}

async function manager(store: JobStore, runner: JobRunner): Promise<JobManager> {
  const m = new JobManager({
    store,
    runners: { [KIND]: runner },
    workDir: path.join(dir.path, 'work'),
    logger,
    notifyIntervalMs: 10,
  });
  await m.start();
  return m;
}

/** Submits in a request span; returns the job id and the span's ids. */
function submitIn(m: JobManager, name: string) {
  return withSpan(getTracer('test'), `request ${name}`, {}, (span) => ({
    id: m.submit(KIND, spec(name)).id,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
  }));
}

const jobSpans = (id: string) =>
  telemetry
    .memoryExporter!.getFinishedSpans()
    .filter((s) => s.name === 'ingest job train_tokenizer' && s.attributes['headstart.job.id'] === id);

describe('ingest job spans', () => {
  it('a queued job and one resumed after a restart run in the trace of the request that submitted it', async () => {
    const store = JobStore.open(path.join(dir.path, 'jobs.db'));
    const first = gated();
    const m1 = await manager(store, first.runner);
    const a = await submitIn(m1, 'a');
    const b = await submitIn(m1, 'b'); // queued behind a: pumped when a ends, in a's async context
    await waitFor(() => first.started.length === 1);
    first.open(a.id);
    await waitFor(() => first.started.length === 2);
    await m1.shutdown(); // b is interrupted, back in the queue with its stored context
    store.close();

    const reopened = JobStore.open(path.join(dir.path, 'jobs.db'));
    const second = gated();
    const m2 = await manager(reopened, second.runner);
    try {
      await waitFor(() => second.started.length === 1);
      second.open(b.id);
      await waitFor(() => m2.get(b.id).state === S.JOB_STATE_SUCCEEDED);
    } finally {
      await m2.shutdown();
      reopened.close();
    }
    const [spanA] = jobSpans(a.id);
    expect(spanA?.spanContext().traceId).toBe(a.traceId);
    expect(spanA?.parentSpanContext?.spanId).toBe(a.spanId);
    const spansB = jobSpans(b.id);
    expect(spansB).toHaveLength(2); // the interrupted attempt and the resumed one
    for (const span of spansB) {
      expect(span.spanContext().traceId).toBe(b.traceId);
      expect(span.parentSpanContext?.spanId).toBe(b.spanId);
    }
  });
});
