import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { common, ingest, registry } from '@headstart/proto';
import { openShards } from '@headstart/shards';
import { Tokenizer } from '@headstart/tokenizer';
import { startIngestFixture, type IngestFixture } from './ingest-test-fixture';

/* upload → train tokenizer → tokenize through gRPC, against a real registry and nats-server. */

let fx: IngestFixture;
beforeAll(async () => {
  fx = await startIngestFixture();
});
afterAll(() => fx?.close());

const WORDS =
  'the a of to and in on at cat dog bird sat ran flew over under near tree house river field sun moon'.split(
    ' ',
  );

/** Lower-case sentences of known words: WordPiece decodes them back exactly (no [UNK], no accents). */
function sentences(count: number, seed: number): string[] {
  let s = seed;
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 4 + next(8) }, () => WORDS[next(WORDS.length)]!);
    return `${words.join(' ')}.`;
  });
}

async function succeeded(jobId: string, states: ingest.Job[] = []): Promise<registry.ModelVersion> {
  const job = await fx.client.watchJob(jobId, (j) => states.push(j));
  if (job.state !== common.JobState.JOB_STATE_SUCCEEDED)
    throw new Error(`job ${jobId} ended ${job.state}: ${job.error}`);
  return job.result!;
}

async function decodeAll(shardsVersion: registry.ModelVersion, tokenizerJson: string) {
  const file = path.join(fx.work.path, `${shardsVersion.modelName}-${shardsVersion.version}.bin`);
  await fx.registryClient.downloadArtifact(`${shardsVersion.modelName}:${shardsVersion.version}`, file);
  const shards = await openShards(file);
  const tokenizer = Tokenizer.fromJSON(tokenizerJson);
  const decode = (split: 'train' | 'validation') =>
    Array.from({ length: shards[split].documentCount }, (_, i) =>
      tokenizer.decode(Array.from(shards[split].document(i))),
    );
  return { shards, tokenizer, train: decode('train'), validation: decode('validation') };
}

describe('upload → train → tokenize', () => {
  it('builds a WordPiece tokenizer and shards with lineage, and the shards decode back to the corpus', async () => {
    const docs = sentences(120, 7);
    // Paragraphs separated by blank lines, with three exact duplicates.
    const text = [...docs, docs[0], docs[5], docs[9]].join('\n\n') + '\n';
    const upload = await fx.client.uploadCorpus(
      {
        datasetName: 'animals',
        validationFraction: 0.1,
        seed: 3,
        description: 'tiny corpus',
        tags: ['lang:en'],
      },
      Buffer.from(text),
    );
    const corpus = upload.version!;
    expect(upload.stats).toMatchObject({
      documents: 120,
      duplicatesDropped: 3,
      trainDocuments: 108,
      validationDocuments: 12,
      inputBytes: Buffer.byteLength(text),
    });
    expect(corpus).toMatchObject({
      modelName: 'animals',
      version: 1,
      kind: registry.ModelKind.MODEL_KIND_DATASET,
    });
    expect(corpus.metadata).toMatchObject({
      format: 'headstart.corpus.v1',
      source_format: 'text',
      split: 'seeded',
      seed: '3',
    });
    expect(corpus.metrics).toMatchObject({ documents: 120, duplicates_dropped: 3, validation_documents: 12 });
    expect(corpus.tags).toEqual(['lang:en']);

    const states: ingest.Job[] = [];
    const trainJob = await fx.client.startTrainTokenizer({
      dataset: 'animals',
      tokenizerName: 'animals-wp',
      vocabSize: 120,
    });
    const tokenizerVersion = await succeeded(trainJob, states);
    expect(states[states.length - 1]!.state).toBe(common.JobState.JOB_STATE_SUCCEEDED);
    expect(states.some((j) => j.state === common.JobState.JOB_STATE_RUNNING)).toBe(true);
    const finished = await fx.client.getJob(trainJob);
    expect(finished.spec?.$case === 'trainTokenizer' && finished.spec.trainTokenizer.dataset).toEqual({
      name: 'animals',
      selector: { $case: 'version', version: 1 },
    });
    expect(finished.documentsDone).toBe(108); // the training split only
    expect(tokenizerVersion).toMatchObject({
      kind: registry.ModelKind.MODEL_KIND_TOKENIZER,
      runId: trainJob,
    });
    expect(tokenizerVersion.parents).toEqual([
      expect.objectContaining({ modelName: 'animals', version: 1, relation: 'trained_on' }),
    ]);
    expect(tokenizerVersion.metadata).toMatchObject({
      tokenizer_type: 'wordpiece',
      lowercase: 'true',
      dataset: 'animals:1',
    });
    const tokenizerJson = (await fx.registryClient.downloadToBuffer('animals-wp:1')).toString('utf8');
    expect(Tokenizer.fromJSON(tokenizerJson).vocabSize).toBe(tokenizerVersion.metrics['vocab_size']);

    const tokenizeJob = await fx.client.startTokenize({
      dataset: 'animals:1',
      tokenizer: 'animals-wp',
      shardsName: 'animals-shards',
    });
    const shardsVersion = await succeeded(tokenizeJob);
    expect(shardsVersion.metadata).toMatchObject({
      format: 'headstart.shards.v1',
      dtype: 'uint16',
      tokenizer_sha256: tokenizerVersion.artifactSha256,
      tokenizer: 'animals-wp:1',
      corpus: 'animals:1',
    });

    const lineage = await fx.registryClient.getLineage('animals-shards:1', { direction: 'ancestors' });
    const names = new Map(
      [lineage.root!, ...lineage.nodes].map((v) => [v.id, `${v.modelName}:${v.version}`]),
    );
    const edges = lineage.edges
      .map((e) => `${names.get(e.childId)} -${e.relation}-> ${names.get(e.parentId)}`)
      .sort();
    expect(edges).toEqual([
      'animals-shards:1 -derived_from-> animals:1',
      'animals-shards:1 -tokenized_with-> animals-wp:1',
      'animals-wp:1 -trained_on-> animals:1',
    ]);

    const { shards, train, validation } = await decodeAll(shardsVersion, tokenizerJson);
    expect(shards.meta.tokenizerSha256).toBe(tokenizerVersion.artifactSha256);
    expect(shards.meta.splits.train.documents).toBe(108);
    expect(shards.meta.splits.validation.documents).toBe(12);
    expect(shardsVersion.metrics['train_tokens']).toBe(shards.train.tokenCount);
    expect(shards.meta.specialTokenRoles).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
    // Corpus order is kept within each split: the union is the deduplicated corpus.
    expect([...train, ...validation].sort()).toEqual([...docs].sort());
    const unk = shards.meta.specialTokens['[UNK]']!;
    expect(Array.from(shards.train.tokens).includes(unk)).toBe(false);
  });

  it('keeps a JSONL corpus byte-exact through byte-level BPE, gzip and given splits included', async () => {
    const texts = [
      'Hello, World! Ünïcödé text — with “quotes”.',
      '  leading spaces and trailing  ',
      'Tabs\tand\nnewlines\r\ninside',
      'emoji 😀🚀 and CJK 日本語',
      'Hello, World! Ünïcödé text — with “quotes”.',
      'Numbers 12345 and symbols #@$%^&*()',
      'short',
    ];
    const jsonl = texts
      .map((text, i) => JSON.stringify({ body: text, part: i % 3 === 2 ? 'validation' : 'train' }))
      .join('\n');
    const upload = await fx.client.uploadCorpus(
      { datasetName: 'mixed', format: 'jsonl', textField: 'body', splitField: 'part' },
      gzipSync(jsonl),
      { chunkBytes: 50 },
    );
    expect(upload.stats).toMatchObject({
      documents: 6,
      duplicatesDropped: 1,
      trainDocuments: 4,
      validationDocuments: 2,
    });
    expect(upload.version!.metadata).toMatchObject({
      compression: 'gzip',
      split: 'field:part',
      text_field: 'body',
    });

    const tokenizerVersion = await succeeded(
      await fx.client.startTrainTokenizer({
        dataset: 'mixed',
        tokenizerName: 'mixed-bpe',
        vocabSize: 300,
        type: 'bpe',
        minFrequency: 1,
      }),
    );
    expect(tokenizerVersion.metadata).toMatchObject({ tokenizer_type: 'byte_level_bpe', lowercase: 'false' });
    const shardsVersion = await succeeded(
      await fx.client.startTokenize({
        dataset: 'mixed:1',
        tokenizer: 'mixed-bpe:1',
        shardsName: 'mixed-shards',
      }),
    );
    const tokenizerJson = (await fx.registryClient.downloadToBuffer('mixed-bpe:1')).toString('utf8');
    const { train, validation, shards } = await decodeAll(shardsVersion, tokenizerJson);
    expect(train).toEqual([texts[0], texts[1], texts[3], texts[6]]);
    expect(validation).toEqual([texts[2], texts[5]]);
    expect(shards.meta.specialTokenRoles).toMatchObject({ pad: 1, mask: 4, bos: 0, eos: 2 });
  });

  it('lists the jobs it ran, newest first', async () => {
    const page = await fx.client.listJobs({ state: 'succeeded', pageSize: 2 });
    expect(page.jobs).toHaveLength(2);
    expect(page.jobs[0]!.kind).toBe(ingest.JobKind.JOB_KIND_TOKENIZE); // the last job
    expect(page.nextPageToken).not.toBe('');
    const rest = await fx.client.listJobs({ state: 'succeeded', pageToken: page.nextPageToken });
    expect(rest.jobs).toHaveLength(2);
  });
});
