// The shards file format, version 1. One file, so it is one registry artifact; every section starts on
// a 64-byte boundary, so a typed array (or numpy.memmap) can view it in place without copying.
//
//   offset 0   8 bytes   magic "HSSHARDS"
//   offset 8   uint32    format version (1)
//   offset 12  uint32    H, byte length of the header
//   offset 16  H bytes   header: ShardsMeta as UTF-8 JSON
//   zero padding to the next multiple of 64, then the sections, each at the absolute offset the
//   header gives, zero-padded in between:
//     train.tokens           token ids, `dtype` little-endian, `meta.splits.train.tokens` of them
//     train.doc_starts       uint64 little-endian, documents + 1 entries: document i is the tokens
//                            [doc_starts[i], doc_starts[i + 1]); the last entry is the token count
//     validation.tokens
//     validation.doc_starts
import * as os from 'node:os';

export const SHARDS_MAGIC = 'HSSHARDS';
export const SHARDS_FORMAT = 'headstart.shards';
export const SHARDS_FORMAT_VERSION = 1;
/** Sections start at multiples of this: enough for any typed array and for cache lines. */
export const SECTION_ALIGNMENT = 64;
/** magic + version + header length. */
export const PREAMBLE_BYTES = 16;
/** A header bigger than this is not one this library wrote; refusing it bounds what a reader allocates. */
export const MAX_HEADER_BYTES = 16 << 20;

export type TokenDtype = 'uint16' | 'uint32';
export type SplitName = 'train' | 'validation';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation'];
export type SectionName = `${SplitName}.tokens` | `${SplitName}.doc_starts`;

export type TokenArray = Uint16Array | Uint32Array;

export type SpecialTokenRole = 'pad' | 'unk' | 'cls' | 'sep' | 'mask' | 'bos' | 'eos';

export interface SectionMeta {
  name: SectionName;
  dtype: TokenDtype | 'uint64';
  /** Absolute byte offset in the file (a multiple of 64). */
  offset: number;
  /** Number of elements. */
  length: number;
  byteLength: number;
}

export interface SplitMeta {
  documents: number;
  tokens: number;
}

/** The header of a shards file (its meta.json). */
export interface ShardsMeta {
  format: typeof SHARDS_FORMAT;
  formatVersion: number;
  /** uint16 when every id fits (vocabulary of at most 65536), else uint32. */
  dtype: TokenDtype;
  vocabSize: number;
  /** sha256 (hex) of the tokenizer.json the ids come from. */
  tokenizerSha256: string;
  /** Special token → id, e.g. {"[PAD]": 0, "[CLS]": 2}. */
  specialTokens: Record<string, number>;
  /** What the special tokens are for (pad, unk, cls, sep, mask...), as ids: what a trainer needs. */
  specialTokenRoles: Partial<Record<SpecialTokenRole, number>>;
  splits: Record<SplitName, SplitMeta>;
  sections: SectionMeta[];
  /** Free-form provenance (corpus and tokenizer versions, options): not interpreted by this library. */
  source: Record<string, unknown>;
}

export const BYTES_PER_ELEMENT: Record<SectionMeta['dtype'], number> = { uint16: 2, uint32: 4, uint64: 8 };

/** The narrowest dtype that holds every id of a vocabulary of `vocabSize` tokens (ids 0..vocabSize-1). */
export function dtypeForVocab(vocabSize: number): TokenDtype {
  if (!Number.isSafeInteger(vocabSize) || vocabSize < 1) {
    throw new RangeError(`vocabSize must be a positive integer, got ${vocabSize}`);
  }
  if (vocabSize > 2 ** 32) throw new RangeError(`vocabSize ${vocabSize} does not fit uint32 token ids`);
  return vocabSize <= 2 ** 16 ? 'uint16' : 'uint32';
}

export function alignUp(value: number, alignment = SECTION_ALIGNMENT): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Typed arrays use the host's byte order; the file is little-endian, so big-endian hosts are refused. */
export function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error('token shards need a little-endian host');
}

/** The sections of a file with these split sizes, in file order, at their offsets after the header. */
export function layoutSections(
  dtype: TokenDtype,
  splits: Record<SplitName, SplitMeta>,
  dataStart: number,
): SectionMeta[] {
  const sections: SectionMeta[] = [];
  let offset = dataStart;
  const add = (name: SectionName, sectionDtype: SectionMeta['dtype'], length: number): void => {
    const byteLength = length * BYTES_PER_ELEMENT[sectionDtype];
    sections.push({ name, dtype: sectionDtype, offset, length, byteLength });
    offset = alignUp(offset + byteLength);
  };
  for (const split of SPLIT_NAMES) {
    add(`${split}.tokens`, dtype, splits[split].tokens);
    add(`${split}.doc_starts`, 'uint64', splits[split].documents + 1);
  }
  return sections;
}

/**
 * The header bytes and the sections' final offsets. Offsets are absolute, so they depend on the
 * header's own length; recomputing until the length stops changing converges in a step or two.
 */
export function encodeHeader(meta: Omit<ShardsMeta, 'sections'>): { header: Buffer; meta: ShardsMeta } {
  let headerBytes = 0;
  for (;;) {
    const sections = layoutSections(meta.dtype, meta.splits, alignUp(PREAMBLE_BYTES + headerBytes));
    const full: ShardsMeta = { ...meta, sections };
    const json = Buffer.from(JSON.stringify(full), 'utf8');
    if (json.length === headerBytes) {
      const header = Buffer.alloc(PREAMBLE_BYTES + json.length);
      header.write(SHARDS_MAGIC, 0, 'latin1');
      header.writeUInt32LE(SHARDS_FORMAT_VERSION, 8);
      header.writeUInt32LE(json.length, 12);
      json.copy(header, PREAMBLE_BYTES);
      return { header, meta: full };
    }
    headerBytes = json.length;
  }
}

export function section(meta: ShardsMeta, name: SectionName): SectionMeta {
  const found = meta.sections.find((s) => s.name === name);
  if (found === undefined) throw new ShardsFormatError(`section ${name} is missing from the header`);
  return found;
}

/** A file that is not a valid shards file (wrong magic, unknown version, sections out of bounds...). */
export class ShardsFormatError extends Error {
  override readonly name = 'ShardsFormatError';
}
