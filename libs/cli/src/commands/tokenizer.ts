import { Code, HeadstartError } from '@headstart/errors';
import type { IngestClient, TokenizerTypeInput, UnicodeNormalizationInput } from '@headstart/ingest-client';
import { parseCount } from '../args';
import type { Output } from '../output';
import { followJob } from './jobs';

export interface TrainTokenizerOptions {
  name: string;
  type?: string;
  vocabSize?: string;
  minFrequency?: string;
  specialTokens?: string;
  lowercase?: boolean;
  stripAccents?: boolean;
  unicode?: string;
  description?: string;
  tag?: string[];
  detach?: boolean;
}

export interface TokenizeOptions {
  name: string;
  description?: string;
  tag?: string[];
  detach?: boolean;
}

/** Either prints the job id (--detach) or follows the job to its end. */
async function startedJob(client: IngestClient, out: Output, jobId: string, label: string, detach: boolean) {
  if (detach) {
    out.result(
      () => ({ jobId }),
      () => `${jobId}\n`,
    );
    return;
  }
  await followJob(client, out, jobId, label);
}

/** `headstart tokenizer train DATASET --name N ...`: queues the job, then shows its progress. */
export async function trainTokenizer(
  client: IngestClient,
  out: Output,
  dataset: string,
  options: TrainTokenizerOptions,
): Promise<void> {
  const type = (options.type ?? 'wordpiece').toLowerCase();
  if (!['wordpiece', 'bpe'].includes(type)) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `--type must be wordpiece or bpe, got "${options.type}"`,
      {
        details: { field: 'type' },
      },
    );
  }
  const jobId = await client.startTrainTokenizer({
    dataset,
    tokenizerName: options.name,
    type: type as TokenizerTypeInput,
    vocabSize: parseCount(options.vocabSize ?? '30000', 'vocab-size'),
    ...(options.minFrequency === undefined
      ? {}
      : { minFrequency: parseCount(options.minFrequency, 'min-frequency') }),
    ...(options.specialTokens === undefined
      ? {}
      : {
          specialTokens: options.specialTokens
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        }),
    ...(options.lowercase === undefined ? {} : { lowercase: options.lowercase }),
    ...(options.stripAccents === undefined ? {} : { stripAccents: options.stripAccents }),
    ...(options.unicode === undefined
      ? {}
      : { unicodeNormalization: options.unicode as UnicodeNormalizationInput }),
    ...(options.description === undefined ? {} : { description: options.description }),
    tags: options.tag ?? [],
  });
  await startedJob(client, out, jobId, `training ${options.name}`, options.detach === true);
}

/** `headstart tokenize DATASET TOKENIZER --name N`: queues the job, then shows its progress. */
export async function tokenize(
  client: IngestClient,
  out: Output,
  dataset: string,
  tokenizer: string,
  options: TokenizeOptions,
): Promise<void> {
  const jobId = await client.startTokenize({
    dataset,
    tokenizer,
    shardsName: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    tags: options.tag ?? [],
  });
  await startedJob(client, out, jobId, `tokenizing into ${options.name}`, options.detach === true);
}
