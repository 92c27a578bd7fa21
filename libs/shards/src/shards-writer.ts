import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import {
  BYTES_PER_ELEMENT,
  SPLIT_NAMES,
  assertLittleEndian,
  dtypeForVocab,
  encodeHeader,
  type ShardsMeta,
  type SpecialTokenRole,
  type SplitMeta,
  type SplitName,
  type TokenArray,
  type TokenDtype,
} from './format';

export interface ShardsWriterOptions {
  /** The file to write. It appears (renamed into place after fsync) only when `finish()` succeeds. */
  path: string;
  /** Every id must be below this; it also decides the dtype. */
  vocabSize: number;
  /** sha256 (hex) of the tokenizer.json the ids come from. */
  tokenizerSha256: string;
  /** Special token → id. */
  specialTokens?: Record<string, number>;
  /** What the special tokens are for, as ids (e.g. {mask: 4, pad: 0}). */
  specialTokenRoles?: Partial<Record<SpecialTokenRole, number>>;
  /** Provenance stored as is in the header. */
  source?: Record<string, unknown>;
  /** Tokens buffered per split before a write. @default 262144 */
  bufferTokens?: number;
}

export interface ShardsWriter {
  readonly dtype: TokenDtype;
  /** Documents and tokens added so far, per split. */
  counts(): Record<SplitName, SplitMeta>;
  /** Appends one document's ids to a split (an empty document is kept, as a zero-length document). */
  add(split: SplitName, ids: ArrayLike<number>): Promise<void>;
  /** Writes the file (header, then each section) and returns its header. */
  finish(): Promise<ShardsMeta>;
  /** Removes the scratch files; the destination is left untouched. Safe after finish() too. */
  abort(): Promise<void>;
}

/** One split being written: ids go to a scratch file, document starts stay in memory (8 bytes each). */
class SplitBuffer {
  readonly starts: number[] = [0];
  tokens = 0;
  private filled = 0;

  constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
    private readonly buffer: TokenArray,
  ) {}

  async add(ids: ArrayLike<number>, vocabSize: number): Promise<void> {
    // Checked before anything is buffered, so a refused document leaves the split as it was.
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
      }
    }
    for (let i = 0; i < ids.length; i++) {
      this.buffer[this.filled++] = ids[i]!;
      if (this.filled === this.buffer.length) await this.flush();
    }
    this.tokens += ids.length;
    this.starts.push(this.tokens);
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    const bytes = this.filled * this.buffer.BYTES_PER_ELEMENT;
    await this.handle.write(new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, bytes));
    this.filled = 0;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

async function copyInto(target: fs.FileHandle, from: string, position: number, bytes: number): Promise<void> {
  const source = await fs.open(from, 'r');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(bytes, 4 << 20) || 1);
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, bytes - done), done);
      if (bytesRead === 0) throw new Error(`scratch file ${from} ended early`);
      await target.write(chunk, 0, bytesRead, position + done);
      done += bytesRead;
    }
  } finally {
    await source.close();
  }
}

/**
 * A streaming shards writer: documents are appended to train or validation in any interleaving,
 * memory stays at the token buffers plus 8 bytes per document, and the file is assembled at the end.
 */
export async function createShardsWriter(options: ShardsWriterOptions): Promise<ShardsWriter> {
  assertLittleEndian();
  const dtype = dtypeForVocab(options.vocabSize);
  const bufferTokens = options.bufferTokens ?? 1 << 18;
  if (!Number.isInteger(bufferTokens) || bufferTokens < 1) throw new RangeError('bufferTokens must be >= 1');
  const stem = `${options.path}.${randomBytes(6).toString('hex')}`;
  const scratch: string[] = [];
  const splits = {} as Record<SplitName, SplitBuffer>;
  let state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  const removeScratch = async (): Promise<void> => {
    await Promise.all(Object.values(splits).map((s) => s.close().catch(() => undefined)));
    await Promise.all(scratch.map((f) => fs.rm(f, { force: true })));
  };
  try {
    for (const split of SPLIT_NAMES) {
      const file = `${stem}.${split}.tokens`;
      scratch.push(file);
      const handle = await fs.open(file, 'wx');
      const buffer = dtype === 'uint16' ? new Uint16Array(bufferTokens) : new Uint32Array(bufferTokens);
      splits[split] = new SplitBuffer(file, handle, buffer);
    }
  } catch (err) {
    await removeScratch();
    throw err;
  }

  const counts = (): Record<SplitName, SplitMeta> => ({
    train: { documents: splits.train.starts.length - 1, tokens: splits.train.tokens },
    validation: { documents: splits.validation.starts.length - 1, tokens: splits.validation.tokens },
  });

  return {
    dtype,
    counts,

    async add(split, ids) {
      if (state !== 'open') throw new Error(`cannot add to a shards writer that is ${state}`);
      const target = splits[split];
      if (target === undefined) throw new RangeError(`unknown split ${JSON.stringify(split)}`);
      await target.add(ids, options.vocabSize);
    },

    async finish() {
      if (state !== 'open') throw new Error(`cannot finish a shards writer that is ${state}`);
      state = 'finishing';
      const partial = `${stem}.partial`;
      scratch.push(partial);
      try {
        for (const split of SPLIT_NAMES) await splits[split].flush();
        const { header, meta } = encodeHeader({
          format: 'headstart.shards',
          formatVersion: 1,
          dtype,
          vocabSize: options.vocabSize,
          tokenizerSha256: options.tokenizerSha256,
          specialTokens: { ...options.specialTokens },
          specialTokenRoles: { ...options.specialTokenRoles },
          splits: counts(),
          source: { ...options.source },
        });
        const out = await fs.open(partial, 'wx');
        try {
          await out.write(header, 0, header.length, 0);
          for (const split of SPLIT_NAMES) {
            const tokens = meta.sections.find((s) => s.name === `${split}.tokens`)!;
            await copyInto(out, splits[split].file, tokens.offset, tokens.byteLength);
            const starts = meta.sections.find((s) => s.name === `${split}.doc_starts`)!;
            const values = BigUint64Array.from(splits[split].starts, (n) => BigInt(n));
            const bytes = new Uint8Array(values.buffer, 0, values.length * BYTES_PER_ELEMENT.uint64);
            await out.write(bytes, 0, bytes.length, starts.offset);
          }
          await out.sync();
        } finally {
          await out.close();
        }
        await fs.rename(partial, options.path);
        state = 'done';
        return meta;
      } catch (err) {
        state = 'aborted';
        throw err;
      } finally {
        await removeScratch();
      }
    },

    async abort() {
      if (state === 'done' || state === 'aborted') return;
      state = 'aborted';
      await removeScratch();
    },
  };
}

/** Documents of one split, in order. */
export type DocumentSource = Iterable<ArrayLike<number>> | AsyncIterable<ArrayLike<number>>;

/** Writes a whole shards file from documents at hand (tests, small data). */
export async function writeShards(
  options: ShardsWriterOptions,
  documents: Partial<Record<SplitName, DocumentSource>>,
): Promise<ShardsMeta> {
  const writer = await createShardsWriter(options);
  try {
    for (const split of SPLIT_NAMES) {
      for await (const ids of documents[split] ?? []) await writer.add(split, ids);
    }
    return await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
