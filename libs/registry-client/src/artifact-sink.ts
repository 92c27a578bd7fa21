import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { Code, HeadstartError } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import { ArtifactVerifier } from './artifact-verifier';

/** How far a transfer has got; `totalBytes` is undefined when the size is not known up front. */
export interface TransferProgress {
  bytes: number;
  totalBytes: number | undefined;
}

export type ProgressListener = (progress: TransferProgress) => void;

type ArtifactMessages = AsyncIterable<registry.DownloadArtifactResponse>;

function protocolError(message: string): HeadstartError {
  return new HeadstartError(Code.INTERNAL, `registry broke the download protocol: ${message}`);
}

/**
 * Consumes a DownloadArtifact stream (the `info` message, then chunks), hands every chunk to `write`
 * (awaited, so a slow sink slows the stream down) and verifies size and digest at the end.
 */
export async function receiveArtifact(
  messages: ArtifactMessages,
  label: string,
  write: (chunk: Buffer) => Promise<void>,
  onProgress?: ProgressListener,
): Promise<registry.ArtifactInfo> {
  let info: registry.ArtifactInfo | undefined;
  let verifier: ArtifactVerifier | undefined;
  for await (const message of messages) {
    const payload = message.payload;
    if (payload?.$case === 'info') {
      if (info !== undefined) throw protocolError('a second info message arrived');
      info = payload.info;
      verifier = new ArtifactVerifier(info, label);
      onProgress?.({ bytes: 0, totalBytes: info.size });
    } else if (payload?.$case === 'chunk') {
      if (info === undefined || verifier === undefined)
        throw protocolError('a chunk arrived before the info');
      verifier.update(payload.chunk);
      await write(payload.chunk);
      onProgress?.({ bytes: verifier.bytesReceived, totalBytes: info.size });
    }
  }
  if (info === undefined || verifier === undefined)
    throw protocolError('the stream ended without an info message');
  verifier.verify();
  return info;
}

/** `.NAME.RANDOM.partial` beside the destination, so the final rename stays on one file system. */
export function partialPathFor(destination: string): string {
  const dir = path.dirname(destination);
  return path.join(dir, `.${path.basename(destination)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Streams an artifact into a temp file beside `destination`, fsyncs it and renames it into place only
 * once size and digest match. On any failure the temp file is removed and `destination` is untouched.
 */
export async function saveArtifactToFile(
  messages: ArtifactMessages,
  destination: string,
  label: string,
  onProgress?: ProgressListener,
): Promise<registry.ArtifactInfo> {
  const partial = partialPathFor(destination);
  const handle = await fs.open(partial, 'wx');
  let closed = false;
  try {
    const info = await receiveArtifact(
      messages,
      label,
      async (chunk) => {
        await handle.write(chunk);
      },
      onProgress,
    );
    await handle.sync();
    await handle.close();
    closed = true;
    await fs.rename(partial, destination);
    return info;
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(partial, { force: true });
    throw err;
  }
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new HeadstartError(Code.ABORTED, 'the download destination stream closed early'));
    };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function endStream(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => {
      stream.off('error', reject);
      resolve();
    });
  });
}

/**
 * Streams an artifact into a Writable with backpressure. The bytes are written before they can be
 * verified, so on DATA_LOSS the caller owns what was written; the stream is ended only on success
 * and only when `end` is true.
 */
export async function writeArtifactToStream(
  messages: ArtifactMessages,
  stream: Writable,
  label: string,
  options: { end: boolean; onProgress?: ProgressListener },
): Promise<registry.ArtifactInfo> {
  const info = await receiveArtifact(
    messages,
    label,
    async (chunk) => {
      if (!stream.write(chunk)) await waitForDrain(stream);
    },
    options.onProgress,
  );
  if (options.end) await endStream(stream);
  return info;
}

/** Collects an artifact in memory, refusing ones announced larger than `maxBytes`. */
export async function collectArtifact(
  messages: ArtifactMessages,
  label: string,
  maxBytes: number,
): Promise<{ info: registry.ArtifactInfo; data: Buffer }> {
  const chunks: Buffer[] = [];
  let checkedSize = false;
  const info = await receiveArtifact(
    messages,
    label,
    async (chunk) => {
      chunks.push(chunk);
    },
    (progress) => {
      if (checkedSize || progress.totalBytes === undefined) return;
      checkedSize = true;
      if (progress.totalBytes > maxBytes) {
        throw new HeadstartError(
          Code.FAILED_PRECONDITION,
          `artifact of ${label} is ${progress.totalBytes} bytes, more than the ${maxBytes} allowed in memory; ` +
            'download it to a file instead',
        );
      }
    },
  );
  return { info, data: Buffer.concat(chunks, info.size) };
}
