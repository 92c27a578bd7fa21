import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { versionRef, type RegistryClient } from '@headstart/registry-client';
import { formatBytes, json, versionLabel } from '../format';
import type { Output, Writer } from '../output';
import { createProgressReporter } from '../progress';

export interface DownloadOptions {
  /** A file path, or '-' for stdout. @default NAME-vVERSION in the working directory */
  output?: string;
}

/** `NAME-vVERSION`, with anything unsafe in a file name replaced. */
export function defaultFileName(modelName: string, version: number): string {
  return `${modelName.replace(/[^A-Za-z0-9._-]/g, '_')}-v${version}`;
}

/** process.stdout is a Writable already; a plain writer (tests) is wrapped so backpressure code applies. */
function asWritable(writer: Writer): Writable {
  if (writer instanceof Writable) return writer;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writer.write(chunk);
      callback();
    },
  });
}

/** The output path: the default name in the working directory, or inside `output` when it is a directory. */
async function destinationFor(output: string | undefined, fileName: string): Promise<string> {
  if (output === undefined) return fileName;
  const stat = await fs.stat(output).catch(() => undefined);
  return stat?.isDirectory() === true ? path.join(output, fileName) : output;
}

/**
 * `headstart download REF`: resolves the reference once, then downloads that exact version, so an
 * alias moved meanwhile cannot mix two versions. The file appears only once its digest is verified.
 */
export async function download(
  client: RegistryClient,
  out: Output,
  ref: string,
  options: DownloadOptions,
): Promise<void> {
  const version = await client.getVersion(ref);
  const label = versionLabel(version);
  const pinned = versionRef(version.modelName, version.version);
  const toStdout = options.output === '-';
  const destination = await destinationFor(
    options.output,
    defaultFileName(version.modelName, version.version),
  );
  const progress = createProgressReporter(out, 'downloading', label);
  const info = await (async () => {
    try {
      return toStdout
        ? await client.downloadArtifact(pinned, asWritable(out.stdout), {
            end: false,
            onProgress: progress.update,
          })
        : await client.downloadArtifact(pinned, destination, { onProgress: progress.update });
    } finally {
      progress.finish();
    }
  })();
  if (toStdout) return;
  const absolute = path.resolve(destination);
  out.result(
    () => ({ version: json.version(version), path: absolute, sha256: info.sha256, size: info.size }),
    () => `downloaded ${label} to ${destination} (${formatBytes(info.size)}, sha256 ${info.sha256})\n`,
  );
}
