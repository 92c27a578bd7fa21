import * as fs from 'node:fs/promises';
import {
  BYTES_PER_ELEMENT,
  SPLIT_NAMES,
  assertLittleEndian,
  section,
  type ShardsMeta,
  type SplitName,
  type TokenArray,
} from './format';
import { checkRange, findDocument, readShardsMeta, toDocStarts } from './shards-reader';

/**
 * A shards file read on demand: the header and document starts (8 bytes per document) are loaded,
 * tokens are fetched with one positional read per request. Memory does not grow with the file, and
 * any window or document costs one read, whatever its offset.
 */
export interface ShardsFile {
  readonly meta: ShardsMeta;
  documentCount(split: SplitName): number;
  tokenCount(split: SplitName): number;
  docStarts(split: SplitName): Float64Array;
  /** `length` tokens of `split` from token offset `start` (a fresh array). */
  readWindow(split: SplitName, start: number, length: number): Promise<TokenArray>;
  readDocument(split: SplitName, index: number): Promise<TokenArray>;
  documentAt(split: SplitName, offset: number): number;
  close(): Promise<void>;
}

async function readExactly(handle: fs.FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`shards file ended at byte ${position + done}`);
    done += bytesRead;
  }
}

export async function openShardsFile(path: string): Promise<ShardsFile> {
  assertLittleEndian();
  const meta = await readShardsMeta(path);
  const handle = await fs.open(path, 'r');
  try {
    const starts = {} as Record<SplitName, Float64Array>;
    for (const split of SPLIT_NAMES) {
      const s = section(meta, `${split}.doc_starts`);
      const raw = new BigUint64Array(s.length);
      await readExactly(handle, new Uint8Array(raw.buffer), s.offset);
      starts[split] = toDocStarts(raw, meta.splits[split].tokens, split);
    }
    const width = BYTES_PER_ELEMENT[meta.dtype];

    const readWindow = async (split: SplitName, start: number, length: number): Promise<TokenArray> => {
      const tokens = section(meta, `${split}.tokens`);
      checkRange(start, length, tokens.length, 'window');
      const out = meta.dtype === 'uint16' ? new Uint16Array(length) : new Uint32Array(length);
      await readExactly(handle, new Uint8Array(out.buffer), tokens.offset + start * width);
      return out;
    };

    return {
      meta,
      documentCount: (split) => starts[split].length - 1,
      tokenCount: (split) => meta.splits[split].tokens,
      docStarts: (split) => starts[split],
      readWindow,
      readDocument(split, index) {
        const s = starts[split];
        checkRange(index, 1, s.length - 1, 'document');
        return readWindow(split, s[index]!, s[index + 1]! - s[index]!);
      },
      documentAt: (split, offset) => findDocument(starts[split], offset, meta.splits[split].tokens),
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
