import { common } from '@headstart/proto';
import { getTracer, startTelemetry, withSpan, type Telemetry } from '@headstart/telemetry';
import { waitFor } from '@headstart/testing';
import type { JobApi } from './job-api';
import { KIND, gated, spec, startJobsHarness, type JobsHarness } from './jobs-test-support';

/* An ingest job runs later than the request that submitted it (from the queue, after the job ahead of
   it, on another replica after a hand-back): its spans still join that request's trace, through the
   trace context its work item carries. */

const S = common.JobState;

let telemetry: Telemetry;
let h: JobsHarness;
beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'ingest-test', exporter: 'memory' });
  h = await startJobsHarness();
});
afterAll(async () => {
  await h?.close();
  await telemetry.shutdown();
});

/** Submits in a request span; returns the job id and the span's ids. */
function submitIn(api: JobApi, name: string) {
  return withSpan(getTracer('test'), `request ${name}`, {}, async (span) => ({
    id: (await api.submit(KIND, spec(name))).id,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
  }));
}

const finished = () => telemetry.memoryExporter!.getFinishedSpans();
const jobSpans = (id: string) =>
  finished().filter(
    (s) => s.name === 'ingest job train_tokenizer' && s.attributes['headstart.job.id'] === id,
  );

/** The span ids from `spanId` up to the root, through the finished spans. */
function ancestors(spanId: string | undefined): string[] {
  const byId = new Map(finished().map((s) => [s.spanContext().spanId, s]));
  const chain: string[] = [];
  for (let id = spanId; id !== undefined; id = byId.get(id)?.parentSpanContext?.spanId) chain.push(id);
  return chain;
}

describe('ingest job spans', () => {
  it('a queued job and one handed back to another worker run in the trace of the request that submitted it', async () => {
    const first = gated();
    const one = await h.parts('trace', first.runner);
    const a = await submitIn(one.api, 'a');
    const b = await submitIn(one.api, 'b'); // queued behind a
    await waitFor(() => first.started.length === 1);
    first.open(a.id);
    await waitFor(() => first.started.length === 2);
    await one.stop(); // b is handed back: a new work item, enqueued in b's trace

    const second = gated();
    const two = await h.parts('trace', second.runner);
    await waitFor(() => second.started.length === 1);
    second.open(b.id);
    await waitFor(async () => (await two.api.get(b.id)).state === S.JOB_STATE_SUCCEEDED);
    await waitFor(() => jobSpans(b.id).length === 2);

    const [spanA] = jobSpans(a.id);
    expect(spanA?.spanContext().traceId).toBe(a.traceId);
    expect(ancestors(spanA?.spanContext().spanId)).toContain(a.spanId);
    const spansB = jobSpans(b.id);
    expect(spansB).toHaveLength(2); // the interrupted attempt and the one after the hand-back
    for (const span of spansB) {
      expect(span.spanContext().traceId).toBe(b.traceId);
      expect(ancestors(span.spanContext().spanId)).toContain(b.spanId);
    }
  });
});
