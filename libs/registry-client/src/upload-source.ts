import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { Code, HeadstartError } from '@headstart/errors';

/** Bytes to upload: in memory, a file path, or any stream of byte chunks (a Readable included). */
export type UploadSource = Uint8Array | string | AsyncIterable<Uint8Array>;

/** A source ready to stream: chunks of at most the chunk size, and what is known before sending. */
export interface PreparedSource {
  chunks: AsyncIterable<Buffer>;
  /** Known for buffers and files. */
  size: number | undefined;
  /** Known for buffers and (when pre-hashing) files: lowercase hex. */
  sha256: string | undefined;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Re-cuts a stream of chunks into messages of exactly `chunkBytes` (the last one shorter): tiny
 * chunks are merged so each gRPC message carries a useful payload, big ones are split under the
 * message size limit.
 */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const raw of source) {
    let chunk = asBuffer(raw);
    while (chunk.length > 0) {
      const take = Math.min(chunkBytes - pendingBytes, chunk.length);
      pending.push(chunk.subarray(0, take));
      pendingBytes += take;
      chunk = chunk.subarray(take);
      if (pendingBytes === chunkBytes) {
        yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

async function* sliceBuffer(data: Buffer, chunkBytes: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += chunkBytes)
    yield data.subarray(offset, offset + chunkBytes);
}

/** Sha256 and size of a file, read once as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function checkFile(file: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new HeadstartError(Code.NOT_FOUND, `upload source ${file} does not exist`, { cause: err });
    }
    throw new HeadstartError(Code.FAILED_PRECONDITION, `cannot read upload source ${file}: ${String(err)}`, {
      cause: err,
    });
  }
  if (!stat.isFile())
    throw new HeadstartError(Code.INVALID_ARGUMENT, `upload source ${file} is not a regular file`);
}

/**
 * Turns any source into chunks. A file is hashed first unless the caller already knows its digest,
 * so the server can refuse the upload before committing if the bytes it receives differ.
 */
export async function prepareSource(
  source: UploadSource,
  chunkBytes: number,
  options: { prehashFile: boolean },
): Promise<PreparedSource> {
  if (typeof source === 'string') {
    await checkFile(source);
    const known = options.prehashFile ? await hashFile(source) : undefined;
    return {
      chunks: rechunk(createReadStream(source, { highWaterMark: chunkBytes }), chunkBytes),
      size: known?.size,
      sha256: known?.sha256,
    };
  }
  if (source instanceof Uint8Array) {
    const data = asBuffer(source);
    return {
      chunks: sliceBuffer(data, chunkBytes),
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  }
  return { chunks: rechunk(source, chunkBytes), size: undefined, sha256: undefined };
}
