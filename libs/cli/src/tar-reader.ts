// A small, defensive POSIX ustar reader for report artifacts (study.json, report.md, figures). The CLI
// depends on libs only, and the services' tar code lives in a service, so it has its own. It reads
// regular files only and refuses any entry that could write outside the target directory: a report
// comes from the registry, but a tar is still input, and `..` or an absolute name must never be obeyed.
import { Code, HeadstartError } from '@headstart/errors';

const BLOCK = 512;
const REGULAR = new Set([0x30, 0]); // '0', and NUL from pre-POSIX writers
const DIRECTORY = 0x35; // '5'

export interface TarFile {
  /** Relative, '/'-separated, without '.' or empty segments. */
  path: string;
  data: Uint8Array;
}

function corrupt(message: string): HeadstartError {
  return new HeadstartError(Code.DATA_LOSS, `the report artifact is not a readable tar: ${message}`);
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = Buffer.from(block.buffer, block.byteOffset + offset, length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? length : end);
}

function readOctal(block: Uint8Array, offset: number, length: number, what: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw corrupt(`header ${what} "${text}" is not an octal number`);
  return Number.parseInt(text, 8);
}

/** The header's sum with the checksum field counted as spaces, as ustar defines it. */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  return sum;
}

/** ustar splits long names into a prefix (offset 345) and a name. */
function entryName(header: Uint8Array): string {
  const name = readString(header, 0, 100);
  const isUstar = readString(header, 257, 6).startsWith('ustar');
  const prefix = isUstar ? readString(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * The entry name as a safe relative path: no absolute or drive-letter names, no backslashes, no `..`.
 * Empty and `.` segments are dropped (`./study.json` is `study.json`).
 */
export function safeEntryPath(name: string): string {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw corrupt(`entry "${name}" has an absolute or non-POSIX path`);
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw corrupt(`entry "${name}" points outside the directory ("..")`);
  if (segments.length === 0) throw corrupt(`entry "${name}" has an empty name`);
  return segments.join('/');
}

/** The header block at `offset`, checked; undefined at the end-of-archive (zero) block. */
function headerAt(bytes: Uint8Array, offset: number): Uint8Array | undefined {
  if (offset + BLOCK > bytes.length) throw corrupt('truncated (no end-of-archive marker)');
  const header = bytes.subarray(offset, offset + BLOCK);
  if (header.every((b) => b === 0)) return undefined;
  if (checksum(header) !== readOctal(header, 148, 8, 'checksum')) {
    throw corrupt(`header at byte ${offset} has a bad checksum`);
  }
  return header;
}

/** The regular files of a tar, in order, as views into `bytes`. Directory entries are skipped. */
export function readTarFiles(bytes: Uint8Array): TarFile[] {
  const files: TarFile[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (;;) {
    const header = headerAt(bytes, offset);
    if (header === undefined) return files;
    const name = entryName(header);
    const size = readOctal(header, 124, 12, 'size');
    const type = header[156] as number;
    const start = offset + BLOCK;
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    // Nothing is made for a directory entry (`./` from `tar -C dir .` included): files create their own.
    if (type === DIRECTORY) continue;
    const path = safeEntryPath(name);
    if (!REGULAR.has(type)) {
      throw corrupt(`entry "${name}" is not a regular file (type '${String.fromCharCode(type)}')`);
    }
    if (start + size > bytes.length) throw corrupt(`entry "${name}" is truncated`);
    if (seen.has(path)) throw corrupt(`entry "${path}" appears twice`);
    seen.add(path);
    files.push({ path, data: bytes.subarray(start, start + size) });
  }
}
