import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { invalidArgument, resourceExhausted } from '@headstart/errors';
import { registry, type ingest } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { newId } from '../ids';
import { requireKindIfExists } from '../registry-refs';
import { CorpusBuilder } from './corpus-builder';
import { CORPUS_FILE_FORMAT } from './corpus-file';
import { corpusMetrics, corpusStats } from './corpus-stats';
import { decompress } from './decompress';
import { parseDocuments, type ParsedDocument } from './parse-documents';
import { splitLines } from './split-lines';
import { uploadSettings, type UploadSettings } from './upload-settings';

export interface UploadLimits {
  /** Largest accepted corpus once decompressed, in bytes (RESOURCE_EXHAUSTED beyond). */
  maxCorpusBytes: number;
  /** Largest `max_line_bytes` a client may ask for. */
  maxLineBytes: number;
}

export interface UploadCorpusDeps {
  registry: RegistryClient;
  /** Scratch space; each upload gets its own directory, removed when the call ends. */
  uploadsDir: string;
  limits: UploadLimits;
}

export interface Counters {
  inputBytes: number;
  decompressedBytes: number;
  lines: number;
  gzip: boolean;
}

async function* chunksOf(
  requests: AsyncIterator<ingest.UploadCorpusRequest>,
  counters: Counters,
): AsyncGenerator<Buffer, void, undefined> {
  for (;;) {
    const next = await requests.next();
    if (next.done) return;
    const payload = next.value.payload;
    if (payload?.$case !== 'chunk') {
      throw invalidArgument('metadata must be sent once, as the first message; the rest are chunks');
    }
    counters.inputBytes += payload.chunk.length;
    yield Buffer.from(payload.chunk.buffer, payload.chunk.byteOffset, payload.chunk.byteLength);
  }
}

async function* counted<T extends { number: number }>(
  lines: AsyncIterable<T>,
  counters: Counters,
): AsyncGenerator<T> {
  for await (const line of lines) {
    counters.lines = line.number;
    yield line;
  }
}

async function* bounded(
  chunks: AsyncIterable<Buffer>,
  counters: Counters,
  maxBytes: number,
): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of chunks) {
    counters.decompressedBytes += chunk.length;
    if (counters.decompressedBytes > maxBytes) {
      throw resourceExhausted(
        `the corpus is larger than this server's limit of ${maxBytes} bytes (decompressed)`,
      );
    }
    yield chunk;
  }
}

function describeVersion(
  settings: UploadSettings,
  counters: Counters,
  uploadId: string,
): Record<string, string> {
  return {
    format: CORPUS_FILE_FORMAT,
    source_format: settings.format,
    compression: counters.gzip ? 'gzip' : 'none',
    ...(settings.format === 'jsonl' ? { text_field: settings.textField } : {}),
    ...(settings.splitField === undefined
      ? {
          split: 'seeded',
          validation_fraction: String(settings.validationFraction),
          seed: String(settings.seed),
        }
      : { split: `field:${settings.splitField}` }),
    upload_id: uploadId,
  };
}

export function newCounters(): Counters {
  return { inputBytes: 0, decompressedBytes: 0, lines: 0, gzip: false };
}

/** The documents of an upload's bytes: decompressed if need be, split into lines, parsed, checked. */
export function readDocuments(
  chunks: AsyncIterable<Buffer>,
  settings: UploadSettings,
  limits: UploadLimits,
  counters: Counters,
): AsyncGenerator<ParsedDocument, void, undefined> {
  const bytes = decompress(chunks, settings.compression, (gzip) => {
    counters.gzip = gzip;
  });
  const lines = counted(
    splitLines(bounded(bytes, counters, limits.maxCorpusBytes), settings.maxLineBytes),
    counters,
  );
  return parseDocuments(lines, {
    format: settings.format,
    textField: settings.textField,
    ...(settings.splitField === undefined ? {} : { splitField: settings.splitField }),
    maxDocumentBytes: limits.maxLineBytes,
  });
}

/**
 * UploadCorpus: validates and normalises the corpus while it streams in (into a scratch directory) and
 * registers it only once all of it was read and found valid. Any error, or the client going away,
 * leaves nothing registered and removes the scratch files.
 */
export async function uploadCorpus(
  requests: AsyncIterable<ingest.UploadCorpusRequest>,
  signal: AbortSignal,
  logger: Logger,
  deps: UploadCorpusDeps,
): Promise<ingest.UploadCorpusResponse> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.payload?.$case !== 'metadata') {
    throw invalidArgument('the first message must carry the metadata');
  }
  const settings = uploadSettings(first.value.payload.metadata, deps.limits.maxLineBytes);
  await requireKindIfExists(
    deps.registry,
    settings.datasetName,
    registry.ModelKind.MODEL_KIND_DATASET,
    signal,
  );

  const uploadId = newId();
  const dir = path.join(deps.uploadsDir, uploadId);
  await fs.mkdir(dir, { recursive: true });
  const counters = newCounters();
  const builder = await CorpusBuilder.create({
    dir,
    seed: settings.seed,
    validationFraction: settings.validationFraction,
  });
  try {
    for await (const doc of readDocuments(chunksOf(iterator, counters), settings, deps.limits, counters)) {
      await builder.add(doc);
    }
    if (builder.documents === 0) {
      throw invalidArgument(
        counters.decompressedBytes === 0
          ? 'the corpus is empty'
          : 'the corpus has no documents (every document was empty or blank)',
      );
    }
    const built = await builder.finish();
    const stats = corpusStats(built, { bytes: counters.inputBytes, lines: counters.lines });
    signal.throwIfAborted();
    const result = await deps.registry.createVersion(
      {
        modelName: settings.datasetName,
        kind: registry.ModelKind.MODEL_KIND_DATASET,
        description: settings.description,
        modelDescription: settings.description,
        metadata: describeVersion(settings, counters, uploadId),
        metrics: corpusMetrics(stats),
        tags: settings.tags,
        runId: uploadId,
        ...(settings.idempotencyKey === '' ? {} : { idempotencyKey: settings.idempotencyKey }),
        expectedSha256: built.sha256,
        expectedSize: built.size,
      },
      built.file,
      { signal },
    );
    logger.info(
      { uploadId, version: `${result.version.modelName}:${result.version.version}`, ...corpusMetrics(stats) },
      result.deduplicated ? 'corpus upload deduplicated' : 'corpus registered',
    );
    return { version: result.version, stats, deduplicated: result.deduplicated };
  } finally {
    await builder.abort();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
