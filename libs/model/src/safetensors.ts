// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON header ({"__metadata__": {string: string}, name: {dtype, shape, data_offsets: [begin, end]}}, padded
// with spaces to a multiple of 8), then the raw little-endian tensor bytes, contiguous, in header order.
// We write F32 only; we read F32, F64, F16 and BF16 (converted to float32) so HF checkpoints load too.
import { endianness } from 'node:os';

export interface TensorRecord {
  shape: number[];
  data: Float32Array;
}

export type TensorRecords = Record<string, TensorRecord>;

export interface Safetensors {
  tensors: TensorRecords;
  metadata: Record<string, string>;
}

const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const BYTES_PER_DTYPE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises tensors (sorted by name, so equal input gives identical bytes) with string metadata.
 * Throws, naming the tensor, when a shape does not match its data length.
 */
export function saveSafetensors(tensors: TensorRecords, metadata: Record<string, string> = {}): Buffer {
  return Buffer.concat(safetensorsChunks(tensors, metadata));
}

/**
 * The bytes `saveSafetensors` would return, as chunks in order: the header, then each tensor's bytes as
 * a view of its data (on a little-endian host). A writer that streams or copies them into one bundle
 * then holds no second copy of every tensor: a checkpoint of weights and moments is hundreds of MB.
 */
export function safetensorsChunks(
  tensors: TensorRecords,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name] as TensorRecord;
    if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0) || numel(shape) !== data.length) {
      throw new Error(`tensor ${name}: shape [${shape}] does not match ${data.length} values`);
    }
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  return [headerChunk(header), ...names.map((name) => float32LE((tensors[name] as TensorRecord).data))];
}

/** The length prefix and the JSON header, padded with spaces to a multiple of 8. */
function headerChunk(header: Record<string, unknown>): Buffer {
  let json = JSON.stringify(header);
  const unpadded = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (unpadded % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  return out;
}

/** The data's little-endian bytes: a view on a little-endian host, else a converted copy. */
function float32LE(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.alloc(data.byteLength);
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i] as number, 4 * i);
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Parses and validates a safetensors buffer; every tensor comes back as float32. */
export function loadSafetensors(buffer: Uint8Array): Safetensors {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (bytes.length < 8) throw new Error('safetensors: shorter than the 8-byte header length');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    throw new Error(`safetensors: header length ${headerLength} exceeds the file (${bytes.length} bytes)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error('safetensors: header is not valid JSON', { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error('safetensors: header is not a JSON object');
  }
  const data = bytes.subarray(8 + headerLength);
  const { __metadata__: metadata = {}, ...entries } = header;
  const checked = Object.entries(entries).map(([name, entry]) => [name, checkEntry(name, entry)] as const);
  checkContiguous(checked, data.length);

  const tensors: TensorRecords = {};
  for (const [name, entry] of checked) {
    const [begin, end] = entry.data_offsets;
    tensors[name] = { shape: entry.shape, data: decode(data.subarray(begin, end), entry.dtype) };
  }
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    !Object.values(metadata).every((v) => typeof v === 'string')
  ) {
    throw new Error('safetensors: __metadata__ must map strings to strings');
  }
  return { tensors, metadata: metadata as Record<string, string> };
}

function checkEntry(name: string, entry: unknown): HeaderEntry {
  const e = entry as Partial<HeaderEntry>;
  const size = BYTES_PER_DTYPE[e?.dtype ?? ''];
  if (size === undefined) {
    throw new Error(
      `safetensors: tensor ${name} has dtype ${JSON.stringify(e?.dtype)} (supported: F32, F64, F16, BF16)`,
    );
  }
  const shapeOk = Array.isArray(e.shape) && e.shape.every((n) => Number.isSafeInteger(n) && n >= 0);
  const offsets = e.data_offsets;
  const offsetsOk =
    Array.isArray(offsets) && offsets.length === 2 && offsets.every((n) => Number.isSafeInteger(n) && n >= 0);
  if (!shapeOk || !offsetsOk)
    throw new Error(`safetensors: tensor ${name} has a malformed shape or data_offsets`);
  const [begin, end] = offsets as [number, number];
  if (end - begin !== numel(e.shape as number[]) * size) {
    throw new Error(
      `safetensors: tensor ${name} spans ${end - begin} bytes, its shape [${e.shape}] needs ${numel(e.shape as number[]) * size}`,
    );
  }
  return e as HeaderEntry;
}

/** The byte ranges must tile the data section exactly: no gaps, no overlaps, nothing left over. */
function checkContiguous(entries: ReadonlyArray<readonly [string, HeaderEntry]>, dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let expected = 0;
  for (const [name, entry] of sorted) {
    if (entry.data_offsets[0] !== expected) {
      throw new Error(
        `safetensors: tensor ${name} starts at byte ${entry.data_offsets[0]}, expected ${expected}`,
      );
    }
    expected = entry.data_offsets[1];
  }
  if (expected !== dataLength) {
    throw new Error(`safetensors: tensors cover ${expected} bytes of a ${dataLength}-byte data section`);
  }
}

function decode(bytes: Buffer, dtype: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / (BYTES_PER_DTYPE[dtype] as number));
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN_HOST) {
      // Copy through bytes: the slice may not be 4-byte aligned, and the result must not alias the file.
      new Uint8Array(out.buffer).set(bytes);
    } else {
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    }
  } else if (dtype === 'F64') {
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  } else if (dtype === 'BF16') {
    const word = new Uint32Array(1);
    const asFloat = new Float32Array(word.buffer);
    for (let i = 0; i < out.length; i++) {
      word[0] = view.getUint16(2 * i, true) << 16;
      out[i] = asFloat[0] as number;
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
