// @headstart/shards: the token shards a trainer reads. One aligned file per shards version: train and
// validation token ids (uint16 or uint32), document starts (uint64) and a JSON header; see format.ts.
export {
  MAX_HEADER_BYTES,
  SECTION_ALIGNMENT,
  SHARDS_FORMAT,
  SHARDS_FORMAT_VERSION,
  SHARDS_MAGIC,
  SPLIT_NAMES,
  ShardsFormatError,
  dtypeForVocab,
} from './format';
export type {
  SectionMeta,
  SectionName,
  ShardsMeta,
  SpecialTokenRole,
  SplitMeta,
  SplitName,
  TokenArray,
  TokenDtype,
} from './format';
export { createShardsWriter, writeShards } from './shards-writer';
export type { DocumentSource, ShardsWriter, ShardsWriterOptions } from './shards-writer';
export { openShards, parseShards, readShardsMeta } from './shards-reader';
export type { ParseOptions, ShardSplit, Shards } from './shards-reader';
export { openShardsFile } from './shards-file';
export type { ShardsFile } from './shards-file';
