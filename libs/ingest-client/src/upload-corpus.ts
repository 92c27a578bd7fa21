import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { Metadata, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import type { ingest } from '@headstart/proto';
import type { ProgressListener } from '@headstart/registry-client';
import {
  cancelledError,
  deadlineFrom,
  onAbort,
  toClientError,
  type CallContext,
  type CallSettings,
} from './call';
import { toCorpusMetadata, type CorpusUploadInput } from './inputs';

/** Bytes to upload: a file path, bytes in memory, or any stream of chunks (a Readable included). */
export type CorpusSource = string | Uint8Array | AsyncIterable<Uint8Array>;

export interface CorpusUploadOptions extends CallSettings {
  /** Bytes per message. @default 1 MiB */
  chunkBytes?: number;
  onProgress?: ProgressListener;
}

export const DEFAULT_UPLOAD_CHUNK_BYTES = 1 << 20;
/** Under gRPC's default 4 MiB message limit, with room for the envelope. */
const MAX_CHUNK_BYTES = (4 << 20) - (64 << 10);

async function* slices(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += size) yield chunk.subarray(offset, offset + size);
  }
}

async function open(
  source: CorpusSource,
  chunkBytes: number,
): Promise<{ chunks: AsyncIterable<Uint8Array>; size?: number }> {
  if (typeof source === 'string') {
    let stat;
    try {
      stat = await fs.stat(source);
    } catch (err) {
      throw new HeadstartError(
        Code.NOT_FOUND,
        `corpus file ${source} cannot be read: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (!stat.isFile())
      throw new HeadstartError(Code.INVALID_ARGUMENT, `corpus ${source} is not a regular file`);
    return {
      chunks: createReadStream(source, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>,
      size: stat.size,
    };
  }
  if (source instanceof Uint8Array) return { chunks: slices([source], chunkBytes), size: source.length };
  return { chunks: slices(source, chunkBytes) };
}

type Outcome = { error: ServiceError } | { response: ingest.UploadCorpusResponse };

/** Streams a corpus into UploadCorpus: metadata first, then chunks, honouring backpressure. */
export async function uploadCorpus(
  client: ingest.IngestServiceClient,
  context: CallContext,
  input: CorpusUploadInput,
  source: CorpusSource,
  options: CorpusUploadOptions = {},
): Promise<ingest.UploadCorpusResponse> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new HeadstartError(Code.INVALID_ARGUMENT, `chunkBytes must be between 1 and ${MAX_CHUNK_BYTES}`);
  }
  const metadata = toCorpusMetadata(input);
  if (options.signal?.aborted) throw cancelledError(context);
  const { chunks, size } = await open(source, chunkBytes);

  let settled: Outcome | undefined;
  let call!: ClientWritableStream<ingest.UploadCorpusRequest>;
  const finished = new Promise<Outcome>((resolve) => {
    call = client.uploadCorpus(
      new Metadata(),
      { deadline: deadlineFrom(context.deadlineMs) },
      (error, response) => {
        settled = error === null ? { response } : { error };
        resolve(settled);
      },
    );
  });
  const stop = onAbort(options.signal, () => call.cancel());
  let sent = 0;
  try {
    try {
      call.write({ payload: { $case: 'metadata', metadata } });
      options.onProgress?.({ bytes: 0, totalBytes: size });
      for await (const chunk of chunks) {
        if (settled !== undefined) break; // the server answered early (an error): stop reading
        sent += chunk.length;
        const buffer = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const more = call.write({ payload: { $case: 'chunk', chunk: buffer } });
        options.onProgress?.({ bytes: sent, totalBytes: size });
        if (!more) {
          await new Promise<void>((resolve) => {
            call.once('drain', resolve);
            void finished.then(() => resolve());
          });
        }
      }
    } catch (err) {
      call.cancel();
      throw err instanceof HeadstartError
        ? err
        : new HeadstartError(Code.UNKNOWN, `reading the corpus failed: ${String(err)}`, { cause: err });
    }
    if (settled === undefined) call.end();
    const outcome = await finished;
    if ('error' in outcome) {
      if (options.signal?.aborted) throw cancelledError(context);
      throw toClientError(outcome.error, context);
    }
    return outcome.response;
  } finally {
    stop();
  }
}
