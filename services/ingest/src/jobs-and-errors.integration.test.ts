import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import { common, type ingest } from '@headstart/proto';
import { waitFor } from '@headstart/testing';
import { randomCorpus, startIngestFixture, type IngestFixture } from './ingest-test-fixture';

/* Cancellation, restarts and bad inputs, through gRPC against a real registry and nats-server. */

const { JobState } = common;

let fx: IngestFixture;
beforeAll(async () => {
  fx = await startIngestFixture();
  await fx.client.uploadCorpus(
    { datasetName: 'small', format: 'lines' },
    Buffer.from('one two\nthree four\nfive six\n'),
  );
  // Big enough that training runs for a second or two (random words, so many merges): a cancel or a
  // restart after the job is seen counting or merging reaches it before it registers anything.
  await fx.client.uploadCorpus({ datasetName: 'big', format: 'lines' }, Buffer.from(randomCorpus(2_000_000)));
  await fx.registryClient.uploadVersion(
    { modelName: 'some-tokenizer', kind: 'tokenizer' },
    Buffer.from('{}'),
  );
  await fx.registryClient.uploadVersion({ modelName: 'plain-file', kind: 'dataset' }, Buffer.from('hello'));
});
afterAll(() => fx?.close());

async function rejection(promise: Promise<unknown>): Promise<HeadstartError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HeadstartError);
    return err as HeadstartError;
  }
  throw new Error('expected the call to fail');
}

async function expectNoModel(name: string): Promise<void> {
  expect((await rejection(fx.registryClient.getModel(name))).code).toBe(Code.NOT_FOUND);
}

describe('jobs', () => {
  it('cancels a running and a queued job promptly; neither registers anything', async () => {
    const running = await fx.client.startTrainTokenizer({
      dataset: 'big',
      tokenizerName: 'cancelled-a',
      vocabSize: 20000,
    });
    const queued = await fx.client.startTrainTokenizer({
      dataset: 'big',
      tokenizerName: 'cancelled-b',
      vocabSize: 20000,
    });
    let seen: ingest.Job | undefined;
    const watching = fx.client.watchJob(running, (job) => (seen = job));
    await waitFor(() => seen?.phase === 'counting' || seen?.phase === 'merging', { timeoutMs: 20_000 });
    expect((await fx.client.getJob(queued)).state).toBe(JobState.JOB_STATE_QUEUED);

    const q = await fx.client.cancelJob(queued);
    expect(q.state).toBe(JobState.JOB_STATE_CANCELLED);
    const startedAt = Date.now();
    const r = await fx.client.cancelJob(running);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(r).toMatchObject({
      state: JobState.JOB_STATE_CANCELLED,
      errorCode: 'CANCELLED',
      result: undefined,
    });
    expect((await watching).state).toBe(JobState.JOB_STATE_CANCELLED);
    await expectNoModel('cancelled-a');
    await expectNoModel('cancelled-b');
  });

  it('runs a job interrupted by a shutdown again after the restart, registering one version', async () => {
    const id = await fx.client.startTrainTokenizer({
      dataset: 'big',
      tokenizerName: 'resumed',
      vocabSize: 3000,
    });
    await waitFor(async () => ['counting', 'merging'].includes((await fx.client.getJob(id)).phase), {
      timeoutMs: 20_000,
    });
    await fx.restartIngest();
    const job = await fx.client.watchJob(id);
    // The attempt that succeeded is the one after the restart (a second claim): the first was really
    // interrupted and handed back, or it would have settled the job and its item.
    expect(job).toMatchObject({ state: JobState.JOB_STATE_SUCCEEDED, attempts: 2 });
    expect((await fx.registryClient.getModel('resumed')).versionCount).toBe(1);
  });
});

describe('watching across a stop', () => {
  it('a watch the service ends before the job finished fails UNAVAILABLE; the job runs on after a restart', async () => {
    const id = await fx.client.startTrainTokenizer({
      dataset: 'big',
      tokenizerName: 'watched',
      vocabSize: 3000,
    });
    let seen: ingest.Job | undefined;
    const watching = rejection(fx.client.watchJob(id, (job) => (seen = job)));
    await waitFor(() => seen?.phase === 'counting' || seen?.phase === 'merging', { timeoutMs: 20_000 });
    await fx.ingest.jobs.stop(); // what shutdown does first: watches end, the job goes back to the queue
    const err = await watching;
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/before it finished/);
    await fx.restartIngest();
    expect((await fx.client.watchJob(id)).state).toBe(JobState.JOB_STATE_SUCCEEDED);
  });
});

describe('bad inputs', () => {
  it('UploadCorpus: INVALID_ARGUMENT naming the line or field, and nothing registered', async () => {
    const bad = async (name: string, data: Buffer, extra: object = {}): Promise<HeadstartError> => {
      const err = await rejection(fx.client.uploadCorpus({ datasetName: name, ...extra }, data));
      await expectNoModel(name);
      return err;
    };
    const utf8 = await bad(
      'bad-utf8',
      Buffer.concat([Buffer.from('fine\n\nstill fine\nbroken '), Buffer.from([0xff]), Buffer.from('\n')]),
    );
    expect(utf8).toMatchObject({ code: Code.INVALID_ARGUMENT, message: 'line 4: not valid UTF-8' });
    expect((await bad('empty', Buffer.alloc(0))).message).toBe('the corpus is empty');
    expect((await bad('blank', Buffer.from('\n  \n\t\n'))).message).toMatch(/no documents/);
    const field = await bad('no-field', Buffer.from('{"text":"a"}\n{"txt":"b"}\n'), { format: 'jsonl' });
    expect(field).toMatchObject({ code: Code.INVALID_ARGUMENT, message: 'line 2: field "text" is missing' });
    const long = await bad('long-line', Buffer.from(`ok\n${'y'.repeat(2000)}\n`), { maxLineBytes: 1000 });
    expect(long.message).toBe('line 2: longer than the limit of 1000 bytes');
    const fraction = await bad('bad-fraction', Buffer.from('x'), { validationFraction: 1.5 });
    expect(fraction.details).toEqual({ field: 'validation_fraction' });
    const kind = await rejection(fx.client.uploadCorpus({ datasetName: 'some-tokenizer' }, Buffer.from('x')));
    expect(kind.code).toBe(Code.FAILED_PRECONDITION);
  });

  it('UploadCorpus: a client that goes away mid-upload leaves nothing registered and no scratch files', async () => {
    const uploads = path.join(fx.ingestDir, 'ingest-scratch', 'uploads');
    const controller = new AbortController();
    let sent = 0;
    async function* slowSource(): AsyncGenerator<Buffer> {
      for (;;) {
        sent++;
        if (sent === 20) {
          // The server has an upload directory for this call by now; then the client gives up.
          await waitFor(async () => (await fs.readdir(uploads)).length === 1);
          controller.abort();
        }
        yield Buffer.from('some words of a document that never ends\n'.repeat(100));
      }
    }
    const err = await rejection(
      fx.client.uploadCorpus({ datasetName: 'abandoned', format: 'lines' }, slowSource(), {
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe(Code.CANCELLED);
    await waitFor(async () => (await fs.readdir(uploads)).length === 0, { message: 'scratch removed' });
    await expectNoModel('abandoned');
  });

  it('StartTrainTokenizer: NOT_FOUND, FAILED_PRECONDITION and INVALID_ARGUMENT naming the field', async () => {
    const start = (extra: object) =>
      rejection(
        fx.client.startTrainTokenizer({ dataset: 'small', tokenizerName: 't', vocabSize: 100, ...extra }),
      );
    expect((await start({ dataset: 'missing' })).code).toBe(Code.NOT_FOUND);
    expect((await start({ dataset: 'small:9' })).code).toBe(Code.NOT_FOUND);
    const wrongKind = await start({ dataset: 'some-tokenizer' });
    expect(wrongKind.code).toBe(Code.FAILED_PRECONDITION);
    expect(wrongKind.message).toMatch(/a TOKENIZER, not a DATASET/);
    expect((await start({ dataset: 'plain-file' })).message).toMatch(/is not a corpus/);
    expect(await start({ vocabSize: 0 })).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      details: { field: 'vocab_size' },
    });
    expect(await start({ minFrequency: 0 })).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      details: { field: 'min_frequency' },
    });
    expect(await start({ vocabSize: 3 })).toMatchObject({ details: { field: 'vocab_size' } }); // fewer than the specials
    expect(await start({ tokenizerName: 'Bad Name' })).toMatchObject({
      details: { field: 'tokenizer_name' },
    });
    expect(await start({ tokenizerName: 'small' })).toMatchObject({ code: Code.FAILED_PRECONDITION });
    expect(await start({ specialTokens: ['[A]', '[A]'] })).toMatchObject({
      details: { field: 'special_tokens[1]' },
    });
  });

  it('StartTokenize: the tokenizer must be a TOKENIZER, the dataset a corpus', async () => {
    const start = (extra: object) =>
      rejection(
        fx.client.startTokenize({ dataset: 'small', tokenizer: 'some-tokenizer', shardsName: 's', ...extra }),
      );
    const wrongKind = await start({ tokenizer: 'small' });
    expect(wrongKind).toMatchObject({ code: Code.FAILED_PRECONDITION, details: { field: 'tokenizer' } });
    expect((await start({ tokenizer: 'nope' })).code).toBe(Code.NOT_FOUND);
    expect((await start({ dataset: 'some-tokenizer' })).code).toBe(Code.FAILED_PRECONDITION);
    expect(await start({ shardsName: 'small' })).toMatchObject({ details: { field: 'shards_name' } });
  });

  it('a tokenizer artifact that is not a tokenizer.json fails the job with FAILED_PRECONDITION', async () => {
    const id = await fx.client.startTokenize({
      dataset: 'small',
      tokenizer: 'some-tokenizer',
      shardsName: 'never',
    });
    const job = await fx.client.watchJob(id);
    expect(job).toMatchObject({ state: JobState.JOB_STATE_FAILED, errorCode: 'FAILED_PRECONDITION' });
    expect(job.error).toMatch(/not a tokenizer.json/);
    await expectNoModel('never');
  });

  it('unknown jobs are NOT_FOUND for every job call', async () => {
    for (const call of [fx.client.getJob('NOPE'), fx.client.cancelJob('NOPE'), fx.client.watchJob('NOPE')]) {
      expect((await rejection(call)).code).toBe(Code.NOT_FOUND);
    }
    expect((await rejection(fx.client.getJob(''))).code).toBe(Code.INVALID_ARGUMENT);
  });
});
