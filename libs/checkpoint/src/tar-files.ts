// Tar entries as files to write somewhere: a tar downloaded from the registry is still input, so an entry
// named `..`-something or absolute must never be obeyed, and a name given twice is ambiguous.
import { TarFormatError, unpackTar } from './tar';

export interface TarFile {
  /** Relative, '/'-separated, without '.' or empty segments. */
  path: string;
  data: Uint8Array;
}

/**
 * The entry name as a safe relative path: no absolute or drive-letter names, no backslashes, no `..`.
 * Empty and `.` segments are dropped (`./study.json` is `study.json`).
 */
export function safeEntryPath(name: string): string {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw new TarFormatError(`entry "${name}" has an absolute or non-POSIX path`);
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..'))
    throw new TarFormatError(`entry "${name}" points outside the directory ("..")`);
  if (segments.length === 0) throw new TarFormatError(`entry "${name}" has an empty name`);
  return segments.join('/');
}

/** The regular files of a tar, in order, under safe relative paths; a path given twice is refused. */
export function readTarFiles(bytes: Uint8Array): TarFile[] {
  const seen = new Set<string>();
  return unpackTar(bytes).map(({ name, data }) => {
    const path = safeEntryPath(name);
    if (seen.has(path)) throw new TarFormatError(`entry "${path}" appears twice`);
    seen.add(path);
    return { path, data };
  });
}
