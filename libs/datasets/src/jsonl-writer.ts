import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** What a finished file looks like in the manifest. */
export interface WrittenFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface JsonlWriter {
  /** Appends one JSON line; resolves when the stream can take more (backpressure). */
  write(record: object): Promise<void>;
  /** Flushes, fsyncs and atomically renames the temp file into place. */
  close(): Promise<WrittenFile>;
  /** Removes the temp file; the destination is left as it was. */
  abort(): Promise<void>;
}

/**
 * Streams JSON lines to `<dir>/<file>` through a temp file, hashing as it goes, so a crash never leaves
 * a half-written file under the final name and the digest costs no second read. Key order is the
 * order the caller built each object in, which keeps output byte-identical across runs.
 */
export async function createJsonlWriter(dir: string, file: string): Promise<JsonlWriter> {
  await fs.mkdir(dir, { recursive: true });
  const finalPath = path.join(dir, file);
  const tempPath = `${finalPath}.partial-${process.pid}`;
  const stream = createWriteStream(tempPath);
  const hash = createHash('sha256');
  let bytes = 0;
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure = err;
  });

  const write = async (record: object): Promise<void> => {
    if (failure) throw failure;
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    hash.update(line);
    bytes += line.length;
    if (!stream.write(line)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (err: Error): void => {
          stream.off('drain', onDrain);
          reject(err);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    }
  };

  const close = async (): Promise<WrittenFile> => {
    await new Promise<void>((resolve, reject) => {
      stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (failure) throw failure;
    const handle = await fs.open(tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, finalPath);
    return { file, sha256: hash.digest('hex'), bytes };
  };

  const abort = async (): Promise<void> => {
    stream.destroy();
    await fs.rm(tempPath, { force: true });
  };

  return { write, close, abort };
}

/** Writes a whole small file (the manifest) atomically, returning its digest. */
export async function writeFileAtomic(dir: string, file: string, content: string): Promise<WrittenFile> {
  await fs.mkdir(dir, { recursive: true });
  const finalPath = path.join(dir, file);
  const tempPath = `${finalPath}.partial-${process.pid}`;
  const data = Buffer.from(content, 'utf8');
  await fs.writeFile(tempPath, data);
  await fs.rename(tempPath, finalPath);
  return { file, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** sha256 and size of a file on disk, streamed; undefined when it does not exist. */
export async function digestFile(filePath: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(filePath)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { sha256: hash.digest('hex'), bytes };
}
