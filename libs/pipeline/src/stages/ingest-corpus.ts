// Stage 3: the English corpus through the ingest service: UploadCorpus → DATASET, WordPiece tokenizer →
// TOKENIZER, tokenize → shards DATASET. Each output is tagged with a digest of its inputs, so a re-run
// with the same inputs reuses the versions instead of redoing the work (ingest has idempotency keys for
// uploads only; its jobs have none).
import { hashFile } from '@headstart/registry-client';
import { common, type ingest, type registry } from '@headstart/proto';
import type { IngestClient } from '@headstart/ingest-client';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { Code, HeadstartError } from '@headstart/errors';

import { findTagged, inputsTag, label } from '../reuse';
import type { PipelineNames } from '../scale';
import { silentReporter, type Reporter } from '../reporter/reporter';

export interface IngestedCorpus {
  corpus: registry.ModelVersion;
  tokenizer: registry.ModelVersion;
  shards: registry.ModelVersion;
  /** Which of the three were reused from an earlier run. */
  reused: { corpus: boolean; tokenizer: boolean; shards: boolean };
}

export interface IngestCorpusInput {
  corpusFile: string;
  vocabSize: number;
  names: Pick<PipelineNames, 'corpus' | 'tokenizer' | 'shards'>;
  signal?: AbortSignal | undefined;
}

export async function awaitIngestJob(
  ingestClient: IngestClient,
  jobId: string,
  what: string,
  reporter: Reporter,
  signal: AbortSignal | undefined,
): Promise<registry.ModelVersion> {
  const task = reporter.task(what);
  const job = await ingestClient.watchJob(
    jobId,
    (update: ingest.Job) => {
      const done = update.progress?.done ?? 0;
      const total = update.progress?.total ?? 0;
      task.progress(
        done,
        total,
        {
          job: jobId,
          phase: update.phase,
          unit: update.progress?.unit,
          eta_s: update.progress?.etaSeconds ? Math.round(update.progress.etaSeconds) : undefined,
          documents: update.documentsTotal ? `${update.documentsDone}/${update.documentsTotal}` : undefined,
          tokens: update.tokensDone || undefined,
        },
        `${what}: ${update.phase || common.jobStateToJSON(update.state)}`,
      );
    },
    signal ? { signal } : {},
  );
  task.done(job.result ? label(job.result) : common.jobStateToJSON(job.state));
  if (job.state !== common.JobState.JOB_STATE_SUCCEEDED || !job.result) {
    throw new HeadstartError(
      Code.ABORTED,
      `${what} (ingest job ${jobId}) ended ${common.jobStateToJSON(job.state)}: ${job.error || 'no result'}`,
    );
  }
  return job.result;
}

export async function ingestCorpus(
  registryClient: RegistryClient,
  ingestClient: IngestClient,
  input: IngestCorpusInput,
  logger: Logger,
  reporter: Reporter = silentReporter,
): Promise<IngestedCorpus> {
  const { names, signal } = input;
  const { sha256 } = await hashFile(input.corpusFile);

  const corpusTag = inputsTag('corpus', { sha256 });
  let corpus = await findTagged(registryClient, names.corpus, corpusTag);
  const reused = { corpus: corpus !== undefined, tokenizer: false, shards: false };
  if (corpus) {
    logger.info(
      { version: label(corpus) },
      'corpus: reusing the version uploaded earlier from the same file',
    );
  } else {
    logger.info({ file: input.corpusFile }, 'corpus: uploading to ingest');
    const uploaded = await ingestClient.uploadCorpus(
      {
        datasetName: names.corpus,
        format: 'jsonl',
        textField: 'text',
        splitField: 'split',
        description: 'English pre-training corpus: State of the Union, Moby Dick, Brown corpus.',
        tags: [corpusTag, 'shipped'],
        idempotencyKey: `pipeline-corpus:${sha256}`,
      },
      input.corpusFile,
      signal ? { signal } : {},
    );
    corpus = uploaded.version;
    if (!corpus) throw new HeadstartError(Code.INTERNAL, 'UploadCorpus answered without a version');
    logger.info({ version: label(corpus), stats: uploaded.stats }, 'corpus: registered');
  }

  const tokenizerTag = inputsTag('tokenizer', {
    corpus: corpus.id,
    type: 'wordpiece',
    vocab: input.vocabSize,
  });
  let tokenizer = await findTagged(registryClient, names.tokenizer, tokenizerTag);
  reused.tokenizer = tokenizer !== undefined;
  if (tokenizer) {
    logger.info(
      { version: label(tokenizer) },
      'tokenizer: reusing the one trained earlier with the same inputs',
    );
  } else {
    const jobId = await ingestClient.startTrainTokenizer(
      {
        dataset: label(corpus),
        tokenizerName: names.tokenizer,
        vocabSize: input.vocabSize,
        type: 'wordpiece',
        description: `WordPiece, vocabulary ${input.vocabSize}, trained on ${label(corpus)}`,
        tags: [tokenizerTag],
      },
      signal ? { signal } : {},
    );
    logger.info({ job: jobId, vocabSize: input.vocabSize }, 'tokenizer: training started');
    tokenizer = await awaitIngestJob(ingestClient, jobId, 'tokenizer training', reporter, signal);
    logger.info({ version: label(tokenizer), metrics: tokenizer.metrics }, 'tokenizer: registered');
  }

  const shardsTag = inputsTag('shards', { corpus: corpus.id, tokenizer: tokenizer.id });
  let shards = await findTagged(registryClient, names.shards, shardsTag);
  reused.shards = shards !== undefined;
  if (shards) {
    logger.info(
      { version: label(shards) },
      'shards: reusing the ones tokenized earlier with the same inputs',
    );
  } else {
    const jobId = await ingestClient.startTokenize(
      {
        dataset: label(corpus),
        tokenizer: label(tokenizer),
        shardsName: names.shards,
        description: `${label(corpus)} tokenized with ${label(tokenizer)}`,
        tags: [shardsTag],
      },
      signal ? { signal } : {},
    );
    logger.info({ job: jobId }, 'shards: tokenizing started');
    shards = await awaitIngestJob(ingestClient, jobId, 'tokenizing', reporter, signal);
    logger.info({ version: label(shards), metrics: shards.metrics }, 'shards: registered');
  }
  return { corpus, tokenizer, shards, reused };
}
