import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { Metadata } from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import type { ingest } from '@headstart/proto';
import type { ProgressListener } from '@headstart/registry-client';
import { callClientStream, cancelledError, type CallContext, type CallSettings } from './call';
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

  let sent = 0;
  return callClientStream<ingest.UploadCorpusRequest, ingest.UploadCorpusResponse>(
    (callOptions, callback) => client.uploadCorpus(new Metadata(), callOptions, callback),
    async (sink) => {
      try {
        await sink.write({ payload: { $case: 'metadata', metadata } });
        options.onProgress?.({ bytes: 0, totalBytes: size });
        for await (const chunk of chunks) {
          if (sink.answered) break; // the server answered early (an error): stop reading
          sent += chunk.length;
          const buffer = Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          await sink.write({ payload: { $case: 'chunk', chunk: buffer } });
          options.onProgress?.({ bytes: sent, totalBytes: size });
        }
      } catch (err) {
        throw err instanceof HeadstartError
          ? err
          : new HeadstartError(Code.UNKNOWN, `reading the corpus failed: ${String(err)}`, { cause: err });
      }
    },
    context,
    options.signal,
  );
}
