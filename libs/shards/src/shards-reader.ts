import * as fs from 'node:fs/promises';
import { decodeHeader, headerLength } from './decode-header';
import {
  PREAMBLE_BYTES,
  ShardsFormatError,
  assertLittleEndian,
  section,
  type ShardsMeta,
  type SplitName,
  type TokenArray,
} from './format';

/** One split of a shards file, viewed in place: every accessor is O(1) except `documentAt` (O(log n)). */
export interface ShardSplit {
  readonly name: SplitName;
  /** Every token of the split, documents back to back. */
  readonly tokens: TokenArray;
  /** documents + 1 entries: document i is tokens [docStarts[i], docStarts[i + 1]). */
  readonly docStarts: Float64Array;
  readonly documentCount: number;
  readonly tokenCount: number;
  /** The ids of document i (a view, no copy). */
  document(index: number): TokenArray;
  /** `length` tokens from token offset `start` (a view, no copy), e.g. a training window. */
  window(start: number, length: number): TokenArray;
  /** Index of the document holding token `offset` (binary search over the starts). */
  documentAt(offset: number): number;
}

export interface Shards {
  readonly meta: ShardsMeta;
  readonly train: ShardSplit;
  readonly validation: ShardSplit;
}

export interface ParseOptions {
  /** Check that every id is below the vocabulary size (one pass over the tokens). @default true */
  verifyTokens?: boolean;
}

/** Starts as numbers, checked: 0 first, never decreasing, the token count last. */
export function toDocStarts(raw: BigUint64Array, tokenCount: number, label: string): Float64Array {
  const starts = new Float64Array(raw.length);
  let previous = 0;
  for (let i = 0; i < raw.length; i++) {
    const value = Number(raw[i]!);
    if (value < previous || value > tokenCount || (i === 0 && value !== 0)) {
      throw new ShardsFormatError(`${label}.doc_starts[${i}] = ${raw[i]} is out of order or out of range`);
    }
    starts[i] = value;
    previous = value;
  }
  if (starts[starts.length - 1] !== tokenCount) {
    throw new ShardsFormatError(`${label}.doc_starts does not end at the token count ${tokenCount}`);
  }
  return starts;
}

export function checkRange(start: number, length: number, size: number, what: string): void {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > size
  ) {
    throw new RangeError(`${what} [${start}, ${start + length}) is outside [0, ${size})`);
  }
}

/** Index of the document holding `offset`: the last i with starts[i] <= offset (skipping empty ones). */
export function findDocument(starts: Float64Array, offset: number, tokenCount: number): number {
  checkRange(offset, 1, tokenCount, 'token offset');
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function makeSplit(meta: ShardsMeta, bytes: Uint8Array, name: SplitName, verify: boolean): ShardSplit {
  const tokensSection = section(meta, `${name}.tokens`);
  const startsSection = section(meta, `${name}.doc_starts`);
  const base = bytes.byteOffset;
  const tokens =
    meta.dtype === 'uint16'
      ? new Uint16Array(bytes.buffer, base + tokensSection.offset, tokensSection.length)
      : new Uint32Array(bytes.buffer, base + tokensSection.offset, tokensSection.length);
  if (verify) {
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]! >= meta.vocabSize) {
        throw new ShardsFormatError(`${name} token ${i} is ${tokens[i]}, outside the vocabulary`);
      }
    }
  }
  const raw = new BigUint64Array(bytes.buffer, base + startsSection.offset, startsSection.length);
  const docStarts = toDocStarts(raw, tokens.length, name);
  const documentCount = docStarts.length - 1;
  return {
    name,
    tokens,
    docStarts,
    documentCount,
    tokenCount: tokens.length,
    document(index) {
      checkRange(index, 1, documentCount, 'document');
      return tokens.subarray(docStarts[index]!, docStarts[index + 1]!);
    },
    window(start, length) {
      checkRange(start, length, tokens.length, 'window');
      return tokens.subarray(start, start + length);
    },
    documentAt(offset) {
      return findDocument(docStarts, offset, tokens.length);
    },
  };
}

/** Typed-array views need aligned memory; a buffer from a shared pool may not be. */
function aligned(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset % 8 === 0) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Views a whole shards file held in memory (no copy when it is 8-byte aligned). */
export function parseShards(data: Uint8Array, options: ParseOptions = {}): Shards {
  assertLittleEndian();
  const bytes = aligned(data);
  const length = headerLength(bytes);
  if (bytes.length < PREAMBLE_BYTES + length)
    throw new ShardsFormatError('file is truncated inside the header');
  const meta = decodeHeader(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + length), bytes.length);
  const verify = options.verifyTokens ?? true;
  return {
    meta,
    train: makeSplit(meta, bytes, 'train', verify),
    validation: makeSplit(meta, bytes, 'validation', verify),
  };
}

/**
 * Reads a shards file into memory and views it: random access to any token or document is then O(1).
 * For files larger than memory, use `openShardsFile` (positional reads).
 */
export async function openShards(path: string, options: ParseOptions = {}): Promise<Shards> {
  return parseShards(await fs.readFile(path), options);
}

/** Only the header of a shards file (a couple of small reads). */
export async function readShardsMeta(path: string): Promise<ShardsMeta> {
  const handle = await fs.open(path, 'r');
  try {
    const { size } = await handle.stat();
    const preamble = Buffer.alloc(PREAMBLE_BYTES);
    await handle.read(preamble, 0, PREAMBLE_BYTES, 0);
    const length = headerLength(preamble);
    const json = Buffer.alloc(length);
    const { bytesRead } = await handle.read(json, 0, length, PREAMBLE_BYTES);
    if (bytesRead !== length) throw new ShardsFormatError('file is truncated inside the header');
    return decodeHeader(json, size);
  } finally {
    await handle.close();
  }
}
