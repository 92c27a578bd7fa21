// Oversized strings and lists (issue 14): each answered at once with INVALID_ARGUMENT naming the field,
// in a short status, and no job or dataset created. Every string and repeated field of these RPCs.
import * as grpc from '@grpc/grpc-js';
import type { common } from '@headstart/proto';
import { ingest } from '@headstart/proto';
import { oversizedCalls } from '@headstart/service-kit/testing';

import { startIngestFixture, type IngestFixture } from './ingest-test-fixture';

const latest = (name: string): common.VersionRef => ({ name, selector: { $case: 'latest', latest: true } });
const cases = oversizedCalls(ingest.IngestServiceService, {
  uploadCorpus: {
    type: ingest.UploadCorpusRequest,
    base: { payload: { $case: 'metadata', metadata: { datasetName: 'corpus' } } },
  },
  createCorpusFromDataset: {
    type: ingest.CreateCorpusFromDatasetRequest,
    base: { dataset: latest('task'), corpusName: 'task-text' },
  },
  startTrainTokenizer: {
    type: ingest.StartTrainTokenizerRequest,
    base: { dataset: latest('corpus'), tokenizerName: 'wp', vocabSize: 100 },
  },
  startTokenize: {
    type: ingest.StartTokenizeRequest,
    base: { dataset: latest('corpus'), tokenizer: latest('wp'), shardsName: 'shards' },
  },
  getJob: { type: ingest.GetJobRequest },
  watchJob: { type: ingest.WatchJobRequest },
  cancelJob: { type: ingest.CancelJobRequest },
  listJobs: { type: ingest.ListJobsRequest },
});

describe('ingest bounds every string and repeated field', () => {
  let fixture: IngestFixture;
  let raw: grpc.Client;

  beforeAll(async () => {
    fixture = await startIngestFixture();
    raw = new grpc.Client(fixture.ingest.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    raw?.close();
    await fixture?.close();
  });

  it.each(cases.map((c) => [c.method, c.field, c.what, c]))(
    '%s with %s over its limit (%s)',
    async (_method, field, _what, c) => {
      const status = await c.call(raw);
      expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status.details.startsWith(`${field} is `) || status.details.startsWith(`${field} has `)).toBe(
        true,
      );
      expect(Buffer.byteLength(status.details)).toBeLessThan(2048);
      expect(status.metadataBytes).toBeLessThan(4096);
    },
  );

  it('started no job and registered nothing', async () => {
    expect((await fixture.client.listJobs()).jobs).toEqual([]);
    const models = [];
    for await (const model of fixture.registryClient.listModels()) models.push(model);
    expect(models).toEqual([]);
  });
});
