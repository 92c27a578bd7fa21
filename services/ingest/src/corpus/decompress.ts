import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { HeadstartError, invalidArgument } from '@headstart/errors';

export type CompressionMode = 'auto' | 'none' | 'gzip';

const GZIP_MAGIC = [0x1f, 0x8b];

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Reads just enough of the stream to see its first two bytes, then replays everything. */
async function peek(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ head: Buffer; replay: AsyncGenerator<Buffer, void, undefined>; close: () => Promise<unknown> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let seenBytes = 0;
  let done = false;
  while (seenBytes < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = asBuffer(next.value);
    seen.push(chunk);
    seenBytes += chunk.length;
  }
  const head = Buffer.concat(seen, seenBytes).subarray(0, GZIP_MAGIC.length);
  async function* replay(): AsyncGenerator<Buffer, void, undefined> {
    try {
      yield* seen;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield asBuffer(next.value);
      }
    } finally {
      // Stop the source too when our reader stops early (an invalid line, a cancelled call).
      if (!done) await iterator.return?.();
    }
  }
  return { head, replay: replay(), close: async () => (done ? undefined : iterator.return?.()) };
}

async function* gunzip(source: AsyncGenerator<Buffer, void, undefined>): AsyncGenerator<Buffer> {
  const input = Readable.from(source);
  const inflate = createGunzip();
  // An error of the source (the call was cancelled) ends the inflater with that same error.
  input.on('error', (err) => inflate.destroy(err));
  input.pipe(inflate);
  try {
    for await (const out of inflate) yield out as Buffer;
  } catch (err) {
    if (err instanceof HeadstartError) throw err;
    throw invalidArgument(`the gzip data is corrupt or truncated: ${(err as Error).message}`);
  } finally {
    input.destroy();
    inflate.destroy();
  }
}

/**
 * The upload's bytes, decompressed when they are gzip: by the magic bytes (1f 8b) in `auto` mode, or
 * because the caller said so (then data without the magic is refused).
 */
export async function* decompress(
  chunks: AsyncIterable<Uint8Array>,
  mode: CompressionMode,
  onDetected?: (gzip: boolean) => void,
): AsyncGenerator<Buffer, void, undefined> {
  const { head, replay, close } = await peek(chunks);
  const isGzip = head.length === GZIP_MAGIC.length && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (mode === 'gzip' && !isGzip) {
    await close();
    throw invalidArgument('compression is GZIP but the data does not start with the gzip magic bytes 1f 8b', {
      field: 'compression',
    });
  }
  onDetected?.(isGzip && mode !== 'none');
  if (isGzip && mode !== 'none') yield* gunzip(replay);
  else yield* replay;
}
