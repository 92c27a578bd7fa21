import * as path from 'node:path';
import type { CompressionInput, CorpusFormatInput, IngestClient } from '@headstart/ingest-client';
import { ingest } from '@headstart/proto';
import { Code, HeadstartError } from '@headstart/errors';
import { formatBytes, json, versionLabel } from '../format';
import type { Output } from '../output';
import { createProgressReporter } from '../progress';

export interface CorpusUploadOptions {
  name: string;
  format?: string;
  textField?: string;
  splitField?: string;
  validationFraction?: string;
  seed?: string;
  compression?: string;
  maxLineBytes?: string;
  description?: string;
  tag?: string[];
  idempotencyKey?: string;
}

function number(text: string | undefined, option: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && (!Number.isSafeInteger(value) || value < 0))
  ) {
    throw new HeadstartError(
      Code.INVALID_ARGUMENT,
      `--${option} must be a ${integer ? 'non-negative integer' : 'number'}, got "${text}"`,
      { details: { field: option } },
    );
  }
  return value;
}

/** `headstart corpus upload FILE --name N ...`: streams the file, prints the version and what was kept. */
export async function uploadCorpus(
  client: IngestClient,
  out: Output,
  file: string,
  options: CorpusUploadOptions,
): Promise<void> {
  const fraction = number(options.validationFraction, 'validation-fraction', false);
  const seed = number(options.seed, 'seed', true);
  const maxLineBytes = number(options.maxLineBytes, 'max-line-bytes', true);
  const progress = createProgressReporter(out, 'uploading', `${path.basename(file)} to ${options.name}`);
  const response = await (async () => {
    try {
      return await client.uploadCorpus(
        {
          datasetName: options.name,
          format: (options.format ?? 'text') as CorpusFormatInput,
          compression: (options.compression ?? 'auto') as CompressionInput,
          ...(options.textField === undefined ? {} : { textField: options.textField }),
          ...(options.splitField === undefined ? {} : { splitField: options.splitField }),
          ...(fraction === undefined ? {} : { validationFraction: fraction }),
          ...(seed === undefined ? {} : { seed }),
          ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
          ...(options.description === undefined ? {} : { description: options.description }),
          tags: options.tag ?? [],
          ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
        },
        file,
        { onProgress: progress.update },
      );
    } finally {
      progress.finish();
    }
  })();
  const v = response.version!;
  const s = response.stats!;
  out.result(
    () => ({
      version: json.version(v),
      stats: ingest.CorpusStats.toJSON(s),
      deduplicated: response.deduplicated,
    }),
    () =>
      `${response.deduplicated ? 'already uploaded as' : 'uploaded'} ${versionLabel(v)} ` +
      `(${formatBytes(v.artifactSize)}, sha256 ${v.artifactSha256})\n` +
      out.fields([
        ['documents', `${s.documents} (train ${s.trainDocuments}, validation ${s.validationDocuments})`],
        [
          'text',
          `${formatBytes(s.bytes)} (train ${formatBytes(s.trainBytes)}, validation ${formatBytes(s.validationBytes)})`,
        ],
        ['dropped', `${s.duplicatesDropped} duplicates, ${s.emptyDropped} empty`],
        [
          'read',
          `${s.lines} lines, ${formatBytes(s.inputBytes)}${v.metadata['compression'] === 'gzip' ? ' gzip' : ''}`,
        ],
      ]),
  );
}

export interface CorpusFromDatasetOptions {
  split?: string[];
  force?: boolean;
  name?: string;
  textField?: string;
  splitField?: string;
  validationFraction?: string;
  seed?: string;
  description?: string;
  tag?: string[];
}

/**
 * `headstart corpus from-dataset DATASET [--split S]... [--force] [--name N]`: a labelled dataset's texts
 * (its train split by default) registered as a corpus derived_from it; prints the version and what was
 * kept, and the warning when the corpus holds evaluation texts.
 */
export async function corpusFromDataset(
  client: IngestClient,
  out: Output,
  dataset: string,
  options: CorpusFromDatasetOptions,
): Promise<void> {
  const fraction = number(options.validationFraction, 'validation-fraction', false);
  const seed = number(options.seed, 'seed', true);
  out.progress(`building a corpus from ${dataset}`);
  const response = await (async () => {
    try {
      return await client.createCorpusFromDataset({
        dataset,
        ...(options.name === undefined ? {} : { corpusName: options.name }),
        splits: options.split ?? [],
        allowEvalSplits: options.force === true,
        ...(options.textField === undefined ? {} : { textField: options.textField }),
        ...(options.splitField === undefined ? {} : { splitField: options.splitField }),
        ...(fraction === undefined ? {} : { validationFraction: fraction }),
        ...(seed === undefined ? {} : { seed }),
        ...(options.description === undefined ? {} : { description: options.description }),
        tags: options.tag ?? [],
      });
    } finally {
      out.progress(''); // clears the status line
    }
  })();
  const v = response.version!;
  const s = response.stats!;
  const m = v.metadata;
  out.result(
    () => ({
      version: json.version(v),
      stats: ingest.CorpusStats.toJSON(s),
      deduplicated: response.deduplicated,
    }),
    () =>
      `${response.deduplicated ? 'already built as' : 'built'} ${versionLabel(v)} ` +
      `(${formatBytes(v.artifactSize)}, sha256 ${v.artifactSha256})\n` +
      out.fields([
        [
          'from',
          `${m['source_dataset'] ?? ''}, ${m['source_splits'] ? `split ${m['source_splits']}` : 'every row'}, ` +
            `field ${m['text_field'] ?? ''}`,
        ],
        ['documents', `${s.documents} (train ${s.trainDocuments}, validation ${s.validationDocuments})`],
        [
          'text',
          `${formatBytes(s.bytes)} (train ${formatBytes(s.trainBytes)}, validation ${formatBytes(s.validationBytes)})`,
        ],
        ['dropped', `${s.duplicatesDropped} duplicates, ${s.emptyDropped} empty`],
        ...(m['warning'] === undefined ? [] : [['warning', m['warning']] as const]),
      ]),
  );
}
