// Report artifacts (study.json, report.md, figures) read with @headstart/checkpoint's ustar reader, which
// refuses links and any entry that could write outside the target directory. Here its refusals become
// the CLI's DATA_LOSS errors, so the command reports a damaged artifact like any other failed call.
import type { TarFile } from '@headstart/checkpoint';
import { TarFormatError, readTarFiles as readFiles, safeEntryPath as safePath } from '@headstart/checkpoint';
import { Code, HeadstartError } from '@headstart/errors';

export type { TarFile };

function asDataLoss<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof TarFormatError)) throw err;
    throw new HeadstartError(Code.DATA_LOSS, `the report artifact is not a readable tar: ${err.message}`);
  }
}

/** The regular files of a tar, in order, under safe relative paths (directory entries skipped). */
export function readTarFiles(bytes: Uint8Array): TarFile[] {
  return asDataLoss(() => readFiles(bytes));
}

/** The entry name as a safe relative path (see @headstart/checkpoint's safeEntryPath). */
export function safeEntryPath(name: string): string {
  return asDataLoss(() => safePath(name));
}
