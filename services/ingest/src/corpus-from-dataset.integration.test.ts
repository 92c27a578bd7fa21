import * as path from 'node:path';
import { Code, HeadstartError } from '@headstart/errors';
import { common, registry } from '@headstart/proto';
import { openShards } from '@headstart/shards';
import { readCorpus } from './corpus/corpus-file';
import { startIngestFixture, type IngestFixture } from './ingest-test-fixture';

/* CreateCorpusFromDataset (issue 10): a labelled dataset's texts as a corpus, against a real registry. */

let fx: IngestFixture;

interface TaskRow {
  id: string;
  text: string;
  label: string;
  split: 'train' | 'dev' | 'test';
}

/** A small labelled task like dictionary-domains: 40 train, 6 dev, 8 test rows, texts unique per row. */
function taskRows(): TaskRow[] {
  const rows: TaskRow[] = [];
  const animals = ['cat', 'dog', 'bird', 'fish', 'horse'];
  for (let i = 0; i < 54; i++) {
    const split = i < 40 ? 'train' : i < 46 ? 'dev' : 'test';
    const animal = animals[i % animals.length]!;
    rows.push({
      id: `r${i}`,
      text: `${split} definition ${i}: the ${animal} sat near the river ${i % 7} times.`,
      label: i % 2 === 0 ? 'zoology' : 'botany',
      split,
    });
  }
  return rows;
}

const ROWS = taskRows();
const jsonl = (rows: readonly object[]): Buffer =>
  Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

beforeAll(async () => {
  fx = await startIngestFixture();
  // As libs/pipeline registers a shipped task: JSONL with text, label and split (train | dev | test).
  await fx.registryClient.uploadVersion(
    {
      modelName: 'task',
      kind: 'dataset',
      metadata: { format: 'jsonl', text_field: 'text', label_field: 'label', split_field: 'split' },
    },
    jsonl([
      ...ROWS,
      // A duplicate text and a blank one in train: dropped as an upload would.
      { id: 'dup', text: ROWS[0]!.text, label: 'zoology', split: 'train' },
      { id: 'blank', text: '   ', label: 'zoology', split: 'train' },
    ]),
  );
  await fx.registryClient.uploadVersion(
    { modelName: 'some-tokenizer', kind: 'tokenizer' },
    Buffer.from('{}'),
  );
  await fx.registryClient.uploadVersion(
    { modelName: 'unsplit', kind: 'dataset', metadata: { format: 'jsonl' } },
    jsonl([
      { text: 'one text without a split', label: 'a' },
      { text: 'another text without a split', label: 'b' },
    ]),
  );
  await fx.registryClient.uploadVersion(
    { modelName: 'only-dev', kind: 'dataset', metadata: { format: 'jsonl' } },
    jsonl([
      { text: 'a dev text', label: 'a', split: 'dev' },
      { text: '', label: 'a', split: 'train' },
    ]),
  );
  await fx.registryClient.uploadVersion(
    { modelName: 'table', kind: 'dataset', metadata: { format: 'csv' } },
    Buffer.from('text,label\nhello,a\n'),
  );
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

async function corpusTexts(
  version: registry.ModelVersion,
): Promise<{ train: string[]; validation: string[] }> {
  const file = path.join(fx.work.path, `${version.modelName}-${version.version}.jsonl`);
  await fx.registryClient.downloadArtifact(`${version.modelName}:${version.version}`, file);
  const out = { train: [] as string[], validation: [] as string[] };
  for await (const doc of readCorpus(file)) out[doc.split].push(doc.text);
  return out;
}

const textsOf = (split: TaskRow['split']) => ROWS.filter((r) => r.split === split).map((r) => r.text);

describe('CreateCorpusFromDataset', () => {
  let trainCorpus: registry.ModelVersion;

  it('takes the train split only by default, derived_from the dataset, in the format UploadCorpus registers', async () => {
    const response = await fx.client.createCorpusFromDataset({
      dataset: 'task',
      validationFraction: 0.1,
      seed: 4,
    });
    trainCorpus = response.version!;
    expect(response.deduplicated).toBe(false);
    expect(trainCorpus).toMatchObject({
      modelName: 'task-text',
      version: 1,
      kind: registry.ModelKind.MODEL_KIND_DATASET,
    });
    expect(trainCorpus.parents).toEqual([
      expect.objectContaining({ modelName: 'task', version: 1, relation: 'derived_from' }),
    ]);
    expect(trainCorpus.metadata).toMatchObject({
      format: 'headstart.corpus.v1',
      source_format: 'dataset',
      source_dataset: 'task:1',
      text_field: 'text',
      split_field: 'split',
      source_splits: 'train',
      includes_eval_splits: 'false',
      split: 'seeded',
      validation_fraction: '0.1',
      seed: '4',
    });
    expect(trainCorpus.metadata['warning']).toBeUndefined();
    expect(trainCorpus.tags).toEqual([]);
    expect(response.stats).toMatchObject({
      documents: 40,
      duplicatesDropped: 1,
      emptyDropped: 1,
      trainDocuments: 36,
      validationDocuments: 4,
    });
    const { train, validation } = await corpusTexts(trainCorpus);
    expect([...train, ...validation].sort()).toEqual([...textsOf('train')].sort());

    const lineage = await fx.registryClient.getLineage('task-text:1', { direction: 'ancestors' });
    expect(lineage.nodes.map((v) => `${v.modelName}:${v.version}`)).toEqual(['task:1']);
    expect(lineage.edges).toEqual([
      { childId: trainCorpus.id, parentId: lineage.nodes[0]!.id, relation: 'derived_from' },
    ]);
  });

  it('answers a re-run with the same inputs with the same version', async () => {
    const again = await fx.client.createCorpusFromDataset({
      dataset: 'task:1',
      splits: ['train'],
      validationFraction: 0.1,
      seed: 4,
    });
    expect(again.deduplicated).toBe(true);
    expect(again.version!.id).toBe(trainCorpus.id);
    // Another validation split is another corpus.
    const other = await fx.client.createCorpusFromDataset({
      dataset: 'task',
      validationFraction: 0.2,
      seed: 4,
    });
    expect(other.deduplicated).toBe(false);
    expect(other.version!.version).toBe(2);
  });

  it('refuses dev and test without allow_eval_splits, naming the split and the fix; nothing registered', async () => {
    for (const splits of [['dev'], ['train', 'test'], ['Validation']]) {
      const err = await rejection(
        fx.client.createCorpusFromDataset({ dataset: 'task', corpusName: 'leaky', splits }),
      );
      expect(err.code).toBe(Code.INVALID_ARGUMENT);
      expect(err.message).toContain(`"${splits[splits.length - 1]}"`);
      expect(err.message).toMatch(/evaluation split/);
      expect(err.message).toMatch(/allow_eval_splits/);
      expect(err.message).toMatch(/--force/);
      expect(err.details).toMatchObject({ field: 'splits' });
    }
    expect((await rejection(fx.registryClient.getModel('leaky'))).code).toBe(Code.NOT_FOUND);
  });

  it('takes dev when forced and records it: metadata, warning and tag', async () => {
    const response = await fx.client.createCorpusFromDataset({
      dataset: 'task:1',
      corpusName: 'task-leaky',
      splits: ['train', 'dev'],
      allowEvalSplits: true,
      tags: ['tapt'],
    });
    const v = response.version!;
    expect(v.metadata).toMatchObject({ source_splits: 'dev,train', includes_eval_splits: 'true' });
    expect(v.metadata['warning']).toMatch(/evaluation split\(s\) dev of task:1/);
    expect(v.tags).toEqual(['includes_eval_splits', 'tapt']);
    expect(v.parents).toEqual([expect.objectContaining({ modelName: 'task', relation: 'derived_from' })]);
    expect(response.stats!.documents).toBe(46);
    const { train, validation } = await corpusTexts(v);
    expect([...train, ...validation].sort()).toEqual([...textsOf('train'), ...textsOf('dev')].sort());
    const tagged = await fx.registryClient.searchVersionsPage({ tag: 'includes_eval_splits' });
    expect(tagged.versions.map((x) => x.id)).toEqual([v.id]);
  });

  it('a dataset without a split field: refused, or every row when forced', async () => {
    const err = await rejection(fx.client.createCorpusFromDataset({ dataset: 'unsplit' }));
    expect(err.code).toBe(Code.FAILED_PRECONDITION);
    expect(err.message).toMatch(/unsplit:1 has no "split" field.*split_field.*allow_eval_splits/);
    const forced = await fx.client.createCorpusFromDataset({ dataset: 'unsplit', allowEvalSplits: true });
    expect(forced.version!.metadata).toMatchObject({ source_splits: '', includes_eval_splits: 'true' });
    expect(forced.stats!.documents).toBe(2);
  });

  it('bad inputs get precise statuses', async () => {
    const call = (input: Parameters<IngestFixture['client']['createCorpusFromDataset']>[0]) =>
      rejection(fx.client.createCorpusFromDataset(input));

    const missing = await call({ dataset: 'no-such-task' });
    expect(missing.code).toBe(Code.NOT_FOUND);
    expect(missing.message).toMatch(/^dataset no-such-task not found/);
    expect((await call({ dataset: 'task:7' })).code).toBe(Code.NOT_FOUND);

    const tokenizer = await call({ dataset: 'some-tokenizer' });
    expect(tokenizer.code).toBe(Code.FAILED_PRECONDITION);
    expect(tokenizer.message).toMatch(/some-tokenizer:1, a TOKENIZER, not a DATASET/);

    const corpus = await call({ dataset: 'task-text' });
    expect(corpus.code).toBe(Code.FAILED_PRECONDITION);
    expect(corpus.message).toMatch(/is a corpus already/);

    const csv = await call({ dataset: 'table' });
    expect(csv.code).toBe(Code.FAILED_PRECONDITION);
    expect(csv.message).toMatch(/CSV/);

    const unknownSplit = await call({ dataset: 'task', splits: ['training'] });
    expect(unknownSplit.code).toBe(Code.INVALID_ARGUMENT);
    expect(unknownSplit.message).toBe(
      'split "training" is not in dataset task:1: its "split" field holds ' +
        '"train" (42 rows), "dev" (6 rows), "test" (8 rows)',
    );

    const unknownField = await call({ dataset: 'task', textField: 'body' });
    expect(unknownField.code).toBe(Code.INVALID_ARGUMENT);
    expect(unknownField.message).toMatch(
      /text_field "body" is not a field of dataset task:1: its fields are id, text, label, split/,
    );

    const empty = await call({ dataset: 'only-dev' });
    expect(empty.code).toBe(Code.FAILED_PRECONDITION);
    expect(empty.message).toMatch(/no text: the 1 rows of split\(s\) train of only-dev:1/);

    expect((await call({ dataset: 'task', corpusName: 'task' })).code).toBe(Code.INVALID_ARGUMENT);
    expect((await call({ dataset: 'task', corpusName: 'some-tokenizer' })).code).toBe(
      Code.FAILED_PRECONDITION,
    );
    expect((await call({ dataset: 'task', corpusName: 'Bad Name' })).details).toMatchObject({
      field: 'corpus_name',
    });
    expect((await call({ dataset: 'task', splits: [''] })).details).toMatchObject({ field: 'splits' });
    expect((await call({ dataset: 'task', validationFraction: 1 })).details).toMatchObject({
      field: 'validation_fraction',
    });
    expect((await call({ dataset: '' })).code).toBe(Code.INVALID_ARGUMENT);
    // No corpus model was made by any of them.
    for (const name of ['no-such-task-text', 'some-tokenizer-text', 'table-text', 'only-dev-text']) {
      expect((await rejection(fx.registryClient.getModel(name))).code).toBe(Code.NOT_FOUND);
    }
  });

  it("the corpus tokenizes with StartTokenize, using a base's tokenizer trained on another corpus", async () => {
    const watch = async (jobId: string): Promise<registry.ModelVersion> => {
      const job = await fx.client.watchJob(jobId);
      if (job.state !== common.JobState.JOB_STATE_SUCCEEDED) throw new Error(`job ended: ${job.error}`);
      return job.result!;
    };
    // The general corpus a base was pre-trained on, and its tokenizer: TAPT keeps the base's tokenizer.
    const general = Array.from(
      { length: 200 },
      (_, i) =>
        `the ${['cat', 'dog', 'bird', 'fish', 'horse', 'tree'][i % 6]} sat near the river ${i % 9} times.`,
    ).join('\n');
    await fx.client.uploadCorpus({ datasetName: 'general', format: 'lines' }, Buffer.from(general));
    const tokenizer = await watch(
      await fx.client.startTrainTokenizer({
        dataset: 'general',
        tokenizerName: 'general-wp',
        vocabSize: 150,
      }),
    );
    const shardsVersion = await watch(
      await fx.client.startTokenize({
        dataset: 'task-text:1',
        tokenizer: 'general-wp:1',
        shardsName: 'task-shards',
      }),
    );
    expect(shardsVersion.metadata).toMatchObject({ corpus: 'task-text:1', tokenizer: 'general-wp:1' });
    const file = path.join(fx.work.path, 'task-shards.bin');
    await fx.registryClient.downloadArtifact('task-shards:1', file);
    const shards = await openShards(file);
    expect(shards.meta.splits.train.documents).toBe(36);
    expect(shards.meta.splits.validation.documents).toBe(4);
    expect(shards.meta.tokenizerSha256).toBe(tokenizer.artifactSha256);

    const lineage = await fx.registryClient.getLineage('task-shards:1', { direction: 'ancestors' });
    const names = new Map(
      [lineage.root!, ...lineage.nodes].map((v) => [v.id, `${v.modelName}:${v.version}`]),
    );
    expect(
      lineage.edges.map((e) => `${names.get(e.childId)} -${e.relation}-> ${names.get(e.parentId)}`).sort(),
    ).toEqual([
      'general-wp:1 -trained_on-> general:1',
      'task-shards:1 -derived_from-> task-text:1',
      'task-shards:1 -tokenized_with-> general-wp:1',
      'task-text:1 -derived_from-> task:1',
    ]);
  });
});
