// The smallest POSIX ustar writer and reader Headstart's artifacts need (checkpoints, fine-tuned models,
// study reports): the writer makes regular files with short names; the reader also takes what GNU or BSD
// `tar --format=ustar` writes (long names split into a prefix, directory entries). Artifacts are plain
// tars so that `tar -xf` (or Python's tarfile) opens them without Headstart.
const BLOCK = 512;
const REGULAR = new Set([0x30, 0]); // '0', and NUL from pre-POSIX writers
const DIRECTORY = 0x35; // '5'

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

/** An entry to write whose bytes come as chunks in order (e.g. a safetensors header, then each tensor). */
export interface TarChunkedEntry {
  name: string;
  data: Uint8Array | readonly Uint8Array[];
}

/** The bytes are not a tar this reader understands (bad checksum, truncated, unsupported entry). */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new RangeError(`tar field "${value}" is longer than ${length} bytes`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  // length − 1 octal digits then NUL, as ustar wants.
  writeString(header, value.toString(8).padStart(length - 1, '0'), offset, length - 1);
}

function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  return sum;
}

function entryHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  writeString(header, name, 0, 100);
  writeOctal(header, 0o644, 100, 8);
  writeOctal(header, 0, 108, 8);
  writeOctal(header, 0, 116, 8);
  writeOctal(header, size, 124, 12);
  writeOctal(header, mtimeSeconds, 136, 12);
  header[156] = 0x30; // '0': regular file
  writeString(header, 'ustar\u0000', 257, 6);
  writeString(header, '00', 263, 2);
  writeOctal(header, checksum(header), 148, 7);
  header[155] = 0x20;
  return header;
}

/**
 * A tar of `entries`, in order. `mtime` is fixed by the caller so equal contents give equal bytes.
 * The tar is allocated once at its final size and each chunk copied into place, so the caller's data is
 * the only other copy (a checkpoint's weights and moments are most of the process's memory).
 */
export function packTar(entries: readonly TarChunkedEntry[], mtimeSeconds = 0): Buffer {
  const files = entries.map(({ name, data }) => {
    if (name.length === 0 || name.includes('\u0000')) throw new RangeError(`bad tar entry name "${name}"`);
    const chunks = data instanceof Uint8Array ? [data] : data;
    return { name, chunks, size: chunks.reduce((sum, c) => sum + c.byteLength, 0) };
  });
  const total = files.reduce((sum, f) => sum + BLOCK + paddedSize(f.size), 2 * BLOCK);
  // Zeroed, so the padding and the end-of-archive blocks need no writing.
  const out = Buffer.alloc(total);
  let offset = 0;
  for (const { name, chunks, size } of files) {
    entryHeader(name, size, mtimeSeconds).copy(out, offset);
    let position = offset + BLOCK;
    for (const chunk of chunks) {
      out.set(chunk, position);
      position += chunk.byteLength;
    }
    offset += BLOCK + paddedSize(size);
  }
  return out;
}

function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = Buffer.from(block.buffer, block.byteOffset + offset, length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? length : end);
}

function readOctal(block: Uint8Array, offset: number, length: number, what: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar header ${what} "${text}" is not octal`);
  return Number.parseInt(text, 8);
}

/** ustar splits long names into a prefix (offset 345) and a name. */
function entryName(header: Uint8Array): string {
  const name = readString(header, 0, 100);
  const isUstar = readString(header, 257, 6).startsWith('ustar');
  const prefix = isUstar ? readString(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** The header block at `offset`, checked; undefined at the end-of-archive (zero) block. */
function headerAt(bytes: Uint8Array, offset: number): Uint8Array | undefined {
  if (offset + BLOCK > bytes.length) throw new TarFormatError('tar is truncated (no end-of-archive marker)');
  const header = bytes.subarray(offset, offset + BLOCK);
  if (header.every((b) => b === 0)) return undefined;
  if (checksum(header) !== readOctal(header, 148, 8, 'checksum')) {
    throw new TarFormatError(`tar header at byte ${offset} has a bad checksum`);
  }
  return header;
}

/**
 * The regular files of a tar, in order, as views into `bytes`, names as written (see `readTarFiles` for
 * names safe to use as paths). Directory entries are skipped; links and other types are refused.
 * Requires the two-block end marker.
 */
export function unpackTar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  for (;;) {
    const header = headerAt(bytes, offset);
    if (header === undefined) return entries;
    const name = entryName(header);
    const size = readOctal(header, 124, 12, 'size');
    const type = header[156] as number;
    const start = offset + BLOCK;
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    // Files create their own directories, so a directory entry (`./` from `tar -C dir .`) carries nothing.
    if (type === DIRECTORY) continue;
    if (!REGULAR.has(type)) {
      throw new TarFormatError(
        `tar entry "${name}" is not a regular file (type '${String.fromCharCode(type)}')`,
      );
    }
    if (start + size > bytes.length) throw new TarFormatError(`tar entry "${name}" is truncated`);
    entries.push({ name, data: bytes.subarray(start, start + size) });
  }
}
