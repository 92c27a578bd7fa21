// CreateCorpusFromDataset: a labelled dataset's texts (by default its training split) as a corpus, for
// task-adaptive pre-training. Unary, like UploadCorpus and unlike the jobs: it reads and writes about as
// many bytes as an upload of the same texts and is registered before the call returns.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  Code,
  failedPrecondition,
  invalidArgument,
  isHeadstartError,
  notFound,
  resourceExhausted,
} from '@headstart/errors';
import { registry, type ingest } from '@headstart/proto';
import { formatVersionRef } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { newId } from '../ids';
import { validateModelName } from '../names';
import { pinnedRef, requireKindIfExists, resolveVersion, versionLabel } from '../registry-refs';
import { CorpusBuilder } from './corpus-builder';
import { CORPUS_FILE_FORMAT } from './corpus-file';
import { corpusMetrics, corpusStats } from './corpus-stats';
import {
  fromDatasetSettings,
  INCLUDES_EVAL_SPLITS,
  isEvalSplit,
  type FromDatasetSettings,
} from './from-dataset-settings';
import { splitLines } from './split-lines';
import type { UploadCorpusDeps } from './upload-corpus';

const { ModelKind } = registry;

/** Relation of the corpus to the labelled dataset its texts come from (as shards to their corpus). */
export const DERIVED_FROM = 'derived_from';
/** `source_format` of a corpus built from a labelled dataset (an upload says text, lines or jsonl). */
export const FROM_DATASET_SOURCE_FORMAT = 'dataset';
/** Field names quoted in an error at most. */
const MAX_NAMES_SHOWN = 32;

/** A labelled dataset: a DATASET version that is neither a corpus nor token shards, in JSONL. */
async function resolveLabelledDataset(
  deps: UploadCorpusDeps,
  ref: ingest.CreateCorpusFromDatasetRequest['dataset'],
): Promise<registry.ModelVersion> {
  let version: registry.ModelVersion;
  try {
    version = await resolveVersion(deps.registry, ref, ModelKind.MODEL_KIND_DATASET, 'dataset');
  } catch (err) {
    if (!isHeadstartError(err, Code.NOT_FOUND) || ref === undefined) throw err;
    throw notFound(`dataset ${formatVersionRef(ref)} not found: ${err.message}`, { field: 'dataset' });
  }
  const label = versionLabel(version);
  const format = (version.metadata['format'] ?? '').toLowerCase();
  if (format === CORPUS_FILE_FORMAT) {
    throw failedPrecondition(
      `dataset ${label} is a corpus already (format ${CORPUS_FILE_FORMAT}), not a labelled dataset: ` +
        'tokenize it or train a tokenizer on it directly',
      { field: 'dataset' },
    );
  }
  if (format.startsWith('headstart.shards')) {
    throw failedPrecondition(`dataset ${label} is token shards (format ${format}), not a labelled dataset`, {
      field: 'dataset',
    });
  }
  const fileName = (version.metadata['file_name'] ?? '').toLowerCase();
  if (format === 'csv' || (format === '' && fileName.endsWith('.csv'))) {
    throw failedPrecondition(
      `dataset ${label} is CSV; a corpus is built from JSONL labelled datasets only (one JSON object a ` +
        'line): register the dataset as JSONL',
      { field: 'dataset' },
    );
  }
  if (version.artifactSize > deps.limits.maxCorpusBytes) {
    throw resourceExhausted(
      `dataset ${label} is ${version.artifactSize} bytes, more than this server's corpus limit of ` +
        `${deps.limits.maxCorpusBytes} bytes`,
    );
  }
  return version;
}

interface Row {
  line: number;
  fields: Record<string, unknown>;
}

/** The JSON object on each non-blank line; anything else is FAILED_PRECONDITION naming the line. */
async function* rowsOf(file: string, label: string, maxLineBytes: number): AsyncGenerator<Row> {
  try {
    const lines = splitLines(createReadStream(file, { highWaterMark: 1 << 20 }), maxLineBytes);
    for await (const line of lines) {
      if (line.text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        throw failedPrecondition(
          `dataset ${label} line ${line.number} is not JSON: a corpus is built from JSONL labelled ` +
            'datasets only (one JSON object a line)',
          { field: 'dataset', line: String(line.number) },
        );
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw failedPrecondition(`dataset ${label} line ${line.number} is not a JSON object`, {
          field: 'dataset',
          line: String(line.number),
        });
      }
      yield { line: line.number, fields: value as Record<string, unknown> };
    }
  } catch (err) {
    // splitLines refuses long lines and bad UTF-8 as INVALID_ARGUMENT, but the registered dataset is
    // at fault here, not the request.
    if (isHeadstartError(err, Code.INVALID_ARGUMENT)) {
      throw failedPrecondition(`dataset ${label}: ${err.message}`, { field: 'dataset' });
    }
    throw err;
  }
}

/** A row's split as the finetune service reads it (a missing value is the split ""). */
function splitOf(row: Row, splitField: string): string {
  const value = row.fields[splitField];
  return String(value ?? '');
}

interface Survey {
  lines: number;
  /** Rows per split value, in first-seen order. */
  splits: Map<string, number>;
  fieldNames: Set<string>;
  hasSplitField: boolean;
  hasTextField: boolean;
}

async function survey(file: string, label: string, maxLineBytes: number, fields: Fields): Promise<Survey> {
  const result: Survey = {
    lines: 0,
    splits: new Map(),
    fieldNames: new Set(),
    hasSplitField: false,
    hasTextField: false,
  };
  for await (const row of rowsOf(file, label, maxLineBytes)) {
    result.lines = row.line;
    for (const name of Object.keys(row.fields)) {
      if (result.fieldNames.size < MAX_NAMES_SHOWN) result.fieldNames.add(name);
    }
    if (fields.text in row.fields) result.hasTextField = true;
    if (fields.split in row.fields) result.hasSplitField = true;
    const split = splitOf(row, fields.split);
    result.splits.set(split, (result.splits.get(split) ?? 0) + 1);
  }
  return result;
}

interface Fields {
  text: string;
  split: string;
}

function splitList(splits: Map<string, number>): string {
  if (splits.size === 0) return 'none (the dataset has no rows)';
  return [...splits].map(([name, rows]) => `${JSON.stringify(name)} (${rows} rows)`).join(', ');
}

/** Which rows are taken: the named splits, or every row (a dataset without a split field, forced). */
type Selection = { all: false; splits: string[] } | { all: true };

function select(settings: FromDatasetSettings, found: Survey, label: string, fields: Fields): Selection {
  if (!found.hasTextField) {
    throw invalidArgument(
      `text_field ${JSON.stringify(fields.text)} is not a field of dataset ${label}: its fields are ` +
        `${[...found.fieldNames].join(', ') || 'none'}`,
      { field: 'text_field' },
    );
  }
  if (!found.hasSplitField) {
    if (!settings.allowEvalSplits) {
      throw failedPrecondition(
        `dataset ${label} has no ${JSON.stringify(fields.split)} field, so its training rows cannot be told ` +
          "from the rows a fine-tune's seeded split evaluates on: name the field holding the split with " +
          'split_field (--split-field), or set allow_eval_splits (--force) to take every row',
        { field: 'split_field' },
      );
    }
    return { all: true };
  }
  for (const split of settings.splits) {
    if (!found.splits.has(split)) {
      throw invalidArgument(
        `split ${JSON.stringify(split)} is not in dataset ${label}: its ${JSON.stringify(fields.split)} ` +
          `field holds ${splitList(found.splits)}`,
        { field: 'splits', split },
      );
    }
  }
  return { all: false, splits: settings.splits };
}

/** The same inputs give the same key, so the registry answers a re-run with the version it has. */
function idempotencyKey(
  dataset: registry.ModelVersion,
  fields: Fields,
  selection: Selection,
  settings: FromDatasetSettings,
): string {
  const inputs = JSON.stringify({
    corpusFormat: CORPUS_FILE_FORMAT,
    dataset: dataset.id,
    sha256: dataset.artifactSha256,
    textField: fields.text,
    splitField: fields.split,
    splits: selection.all ? null : selection.splits,
    validationFraction: settings.validationFraction,
    seed: settings.seed,
  });
  return `corpus-from-dataset:${createHash('sha256').update(inputs).digest('hex')}`;
}

/** What the corpus says about where its text comes from, and the warning when it holds eval texts. */
function describeVersion(
  dataset: registry.ModelVersion,
  fields: Fields,
  selection: Selection,
  settings: FromDatasetSettings,
  buildId: string,
): { metadata: Record<string, string>; includesEval: boolean } {
  const label = versionLabel(dataset);
  const evalSplits = selection.all ? [] : selection.splits.filter(isEvalSplit);
  const includesEval = selection.all || evalSplits.length > 0;
  const warning = selection.all
    ? `holds every row of ${label}, which has no ${JSON.stringify(fields.split)} field: a fine-tune's ` +
      'evaluation rows are among them'
    : `holds the texts of evaluation split(s) ${evalSplits.join(', ')} of ${label}: a model pre-trained on ` +
      'it has seen texts its fine-tunes are scored on';
  return {
    includesEval,
    metadata: {
      format: CORPUS_FILE_FORMAT,
      source_format: FROM_DATASET_SOURCE_FORMAT,
      source_dataset: label,
      source_dataset_id: dataset.id,
      text_field: fields.text,
      split_field: fields.split,
      // Empty: every row (no split field).
      source_splits: selection.all ? '' : selection.splits.join(','),
      [INCLUDES_EVAL_SPLITS]: String(includesEval),
      ...(includesEval ? { warning } : {}),
      split: 'seeded',
      validation_fraction: String(settings.validationFraction),
      seed: String(settings.seed),
      build_id: buildId,
    },
  };
}

/** `<dataset>-text`; a dataset name too long for the suffix needs an explicit corpus_name. */
export function defaultCorpusName(datasetName: string): string {
  const name = `${datasetName}-text`;
  try {
    return validateModelName(name, 'corpus_name');
  } catch {
    throw invalidArgument(
      `corpus_name is required: the default, ${JSON.stringify(name)}, is longer than a model name may be`,
      { field: 'corpus_name' },
    );
  }
}

/**
 * Resolves the labelled dataset (pinned), downloads it into a scratch directory, reads it twice (the
 * splits and fields it has, then the chosen rows' texts into a CorpusBuilder: duplicates and blank
 * texts dropped, a seeded validation split) and registers the corpus derived_from the dataset. Any
 * error leaves nothing registered and removes the scratch files.
 */
export async function createCorpusFromDataset(
  request: ingest.CreateCorpusFromDatasetRequest,
  signal: AbortSignal,
  logger: Logger,
  deps: UploadCorpusDeps,
): Promise<ingest.CreateCorpusFromDatasetResponse> {
  const settings = fromDatasetSettings(request);
  const dataset = await resolveLabelledDataset(deps, request.dataset);
  const label = versionLabel(dataset);
  const corpusName = settings.corpusName === '' ? defaultCorpusName(dataset.modelName) : settings.corpusName;
  if (corpusName === dataset.modelName) {
    throw invalidArgument(
      'corpus_name must differ from the dataset name: a corpus and a labelled dataset are different datasets',
      { field: 'corpus_name' },
    );
  }
  await requireKindIfExists(deps.registry, corpusName, ModelKind.MODEL_KIND_DATASET, signal);
  const fields: Fields = {
    text: settings.textField || dataset.metadata['text_field'] || 'text',
    split: settings.splitField || dataset.metadata['split_field'] || 'split',
  };
  if (fields.text === fields.split) {
    throw invalidArgument(`text_field and split_field are both ${JSON.stringify(fields.text)}`, {
      field: 'split_field',
    });
  }

  const buildId = newId();
  const dir = path.join(deps.uploadsDir, buildId);
  await fs.mkdir(dir, { recursive: true });
  let builder: CorpusBuilder | undefined;
  try {
    const file = path.join(dir, 'dataset.jsonl');
    await deps.registry.downloadArtifact(pinnedRef(dataset), file, { signal });
    const maxLineBytes = deps.limits.maxLineBytes;
    const found = await survey(file, label, maxLineBytes, fields);
    const selection = select(settings, found, label, fields);
    signal.throwIfAborted();

    builder = await CorpusBuilder.create({
      dir,
      seed: settings.seed,
      validationFraction: settings.validationFraction,
    });
    const wanted = selection.all ? undefined : new Set(selection.splits);
    let rows = 0;
    for await (const row of rowsOf(file, label, maxLineBytes)) {
      if (wanted !== undefined && !wanted.has(splitOf(row, fields.split))) continue;
      rows++;
      if (rows % 4096 === 0) signal.throwIfAborted(); // the client gave up: stop reading
      const text = row.fields[fields.text];
      // A missing or non-string text counts as an empty document.
      await builder.add({ text: typeof text === 'string' ? text : '', line: row.line, bytesRead: 0 });
    }
    if (builder.documents === 0) {
      throw failedPrecondition(
        `no text: the ${rows} rows of ${selection.all ? 'dataset' : `split(s) ${selection.splits.join(', ')} of`} ` +
          `${label} have no non-blank string in field ${JSON.stringify(fields.text)}`,
        { field: 'text_field' },
      );
    }
    const built = await builder.finish();
    const stats = corpusStats(built, { bytes: dataset.artifactSize, lines: found.lines });
    const { metadata, includesEval } = describeVersion(dataset, fields, selection, settings, buildId);
    const description =
      settings.description ||
      `Text of ${selection.all ? 'every row' : `split(s) ${selection.splits.join(', ')}`} of ${label} ` +
        `(field ${fields.text}).`;
    signal.throwIfAborted();
    const result = await deps.registry.createVersion(
      {
        modelName: corpusName,
        kind: ModelKind.MODEL_KIND_DATASET,
        description,
        modelDescription: description,
        metadata,
        metrics: corpusMetrics(stats),
        parents: [{ ref: pinnedRef(dataset), relation: DERIVED_FROM }],
        tags: includesEval ? [...new Set([...settings.tags, INCLUDES_EVAL_SPLITS])].sort() : settings.tags,
        runId: buildId,
        idempotencyKey: idempotencyKey(dataset, fields, selection, settings),
        expectedSha256: built.sha256,
        expectedSize: built.size,
      },
      built.file,
      { signal },
    );
    logger.info(
      {
        buildId,
        dataset: label,
        splits: metadata['source_splits'],
        version: versionLabel(result.version),
        [INCLUDES_EVAL_SPLITS]: includesEval,
        ...corpusMetrics(stats),
      },
      result.deduplicated ? 'corpus from dataset deduplicated' : 'corpus from dataset registered',
    );
    return { version: result.version, stats, deduplicated: result.deduplicated };
  } finally {
    await builder?.abort();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
