import {
  MAX_HEADER_BYTES,
  PREAMBLE_BYTES,
  SHARDS_FORMAT,
  SHARDS_FORMAT_VERSION,
  SHARDS_MAGIC,
  SPLIT_NAMES,
  ShardsFormatError,
  alignUp,
  dtypeForVocab,
  layoutSections,
  type ShardsMeta,
} from './format';

/** Byte length of the header JSON, read from the 16-byte preamble (which it validates). */
export function headerLength(preamble: Uint8Array): number {
  if (preamble.length < PREAMBLE_BYTES) {
    throw new ShardsFormatError(`file is ${preamble.length} bytes, too short for a shards preamble`);
  }
  const view = Buffer.from(preamble.buffer, preamble.byteOffset, PREAMBLE_BYTES);
  if (view.toString('latin1', 0, 8) !== SHARDS_MAGIC) {
    throw new ShardsFormatError('not a shards file (the magic bytes are not "HSSHARDS")');
  }
  const version = view.readUInt32LE(8);
  if (version !== SHARDS_FORMAT_VERSION) {
    throw new ShardsFormatError(
      `shards format version ${version} is not supported (this reader knows ${SHARDS_FORMAT_VERSION})`,
    );
  }
  const length = view.readUInt32LE(12);
  if (length === 0 || length > MAX_HEADER_BYTES) {
    throw new ShardsFormatError(`header length ${length} is out of range`);
  }
  return length;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ShardsFormatError(`${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses and checks the header: known format and version, a dtype that matches the vocabulary, and
 * sections exactly where the layout puts them, all inside a file of `fileSize` bytes. A reader can then
 * trust every offset.
 */
export function decodeHeader(json: Uint8Array, fileSize: number): ShardsMeta {
  let meta: ShardsMeta;
  try {
    meta = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8'));
  } catch (err) {
    throw new ShardsFormatError(`the header is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof meta !== 'object' || meta === null) throw new ShardsFormatError('the header is not an object');
  if (meta.format !== SHARDS_FORMAT || meta.formatVersion !== SHARDS_FORMAT_VERSION) {
    throw new ShardsFormatError(`the header describes ${meta.format} v${meta.formatVersion}`);
  }
  const vocabSize = count(meta.vocabSize, 'vocabSize');
  let dtype;
  try {
    dtype = dtypeForVocab(vocabSize);
  } catch (err) {
    throw new ShardsFormatError((err as Error).message);
  }
  if (meta.dtype !== dtype) {
    throw new ShardsFormatError(`dtype ${meta.dtype} does not match a vocabulary of ${vocabSize} (${dtype})`);
  }
  for (const split of SPLIT_NAMES) {
    const s = meta.splits?.[split];
    if (s === undefined) throw new ShardsFormatError(`split ${split} is missing from the header`);
    count(s.documents, `splits.${split}.documents`);
    count(s.tokens, `splits.${split}.tokens`);
  }
  const expected = layoutSections(dtype, meta.splits, alignUp(PREAMBLE_BYTES + json.byteLength));
  if (JSON.stringify(meta.sections) !== JSON.stringify(expected)) {
    throw new ShardsFormatError('the section table does not match the split sizes');
  }
  const last = expected[expected.length - 1]!;
  if (last.offset + last.byteLength > fileSize) {
    throw new ShardsFormatError(
      `file is truncated: ${fileSize} bytes, the sections need ${last.offset + last.byteLength}`,
    );
  }
  if (typeof meta.tokenizerSha256 !== 'string') throw new ShardsFormatError('tokenizerSha256 is missing');
  if (typeof meta.specialTokens !== 'object' || meta.specialTokens === null) meta.specialTokens = {};
  if (typeof meta.specialTokenRoles !== 'object' || meta.specialTokenRoles === null) {
    meta.specialTokenRoles = {};
  }
  if (typeof meta.source !== 'object' || meta.source === null) meta.source = {};
  return meta;
}
