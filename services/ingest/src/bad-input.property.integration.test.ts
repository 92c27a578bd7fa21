// The bad-input property suite (issue 14) over every IngestService RPC, generated from the descriptor
// set: hostile requests get a specific, short status, the service stays healthy, and a refused call
// changes nothing (the jobs and the registry's models compared before and after).
// HEADSTART_PROPERTY_RUNS=<cases> and HEADSTART_PROPERTY_SEED=<seed> size and replay it (docs/benchmarks.md).
import { ingest } from '@headstart/proto';
import { runHostileSuite } from '@headstart/service-kit/testing';

import { startIngestFixture, type IngestFixture } from './ingest-test-fixture';

jest.setTimeout(600_000);

let fixture: IngestFixture;
const strings = ['corpus', 'wp', 'task', 'ghost', 'job_missing', 'prod', 'text', 'label', 'train'];

beforeAll(async () => {
  fixture = await startIngestFixture();
  const r = fixture.registryClient;
  // corpus:1 deleted, corpus:2 a text corpus, a labelled dataset and a tokenizer-kind model.
  await r.uploadVersion({ modelName: 'corpus', kind: 'DATASET' }, Buffer.from('one\n'));
  await r.uploadVersion({ modelName: 'corpus', kind: 'DATASET' }, Buffer.from('hello world\nsecond line\n'));
  await r.deleteVersion('corpus:1');
  await r.uploadVersion(
    { modelName: 'task', kind: 'DATASET', metadata: { format: 'jsonl' } },
    Buffer.from('{"text":"a b","label":"x","split":"train"}\n{"text":"c d","label":"y","split":"test"}\n'),
  );
  await r.uploadVersion({ modelName: 'wp', kind: 'TOKENIZER' }, Buffer.from('{}'));
});
afterAll(() => fixture?.close());

async function snapshot(): Promise<unknown> {
  // Job ids only: an accepted job moves on by itself (state, progress, the versions it registers).
  const jobs = (await fixture.client.listJobs({ pageSize: 1000 })).jobs.map((j) => j.id).sort();
  return { jobs };
}

it('answers hostile requests to every RPC precisely, stays healthy and changes nothing it refused', async () => {
  const report = await runHostileSuite({
    address: fixture.ingest.address,
    service: 'headstart.ingest.v1.IngestService',
    context: { strings, numbers: [1, 2, 3, 100, 1000] },
    snapshot,
    bases: bases(),
  });
  console.log(report.table());
  expect(report.failures).toEqual([]);
});

const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true as const } });

/** A valid request of each RPC (on the models above); each case patches one field. */
function bases(): Record<string, Uint8Array | Uint8Array[]> {
  const I = ingest;
  return {
    UploadCorpus: [
      I.UploadCorpusRequest.encode(
        I.UploadCorpusRequest.fromPartial({
          payload: { $case: 'metadata', metadata: { datasetName: 'up' } },
        }),
      ).finish(),
      I.UploadCorpusRequest.encode({
        payload: { $case: 'chunk', chunk: Buffer.from('some text\n') },
      }).finish(),
    ],
    CreateCorpusFromDataset: I.CreateCorpusFromDatasetRequest.encode(
      I.CreateCorpusFromDatasetRequest.fromPartial({ dataset: latest('task'), corpusName: 'task-text' }),
    ).finish(),
    StartTrainTokenizer: I.StartTrainTokenizerRequest.encode(
      I.StartTrainTokenizerRequest.fromPartial({
        dataset: latest('corpus'),
        tokenizerName: 'wp2',
        vocabSize: 100,
      }),
    ).finish(),
    StartTokenize: I.StartTokenizeRequest.encode(
      I.StartTokenizeRequest.fromPartial({
        dataset: latest('corpus'),
        tokenizer: latest('wp'),
        shardsName: 'sh',
      }),
    ).finish(),
    GetJob: I.GetJobRequest.encode({ jobId: 'job_missing' }).finish(),
    WatchJob: I.WatchJobRequest.encode({ jobId: 'job_missing' }).finish(),
    CancelJob: I.CancelJobRequest.encode({ jobId: 'job_missing' }).finish(),
    ListJobs: I.ListJobsRequest.encode(I.ListJobsRequest.fromPartial({ pageSize: 10 })).finish(),
  };
}
