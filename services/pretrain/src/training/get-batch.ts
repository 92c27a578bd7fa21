// nanoGPT's get_batch for masked-LM: `batchSize` windows cut at random offsets of the packed token
// stream, each row [CLS] + (seqLen − 1) tokens. The offsets come from a seeded generator whose state goes
// into every checkpoint, so the data order is a pure function of the seed and the step: that state *is*
// the data cursor an exact resume restores.
import type { Rng } from '@headstart/model';
import type { TokenStream } from './pack-documents';

export interface Batch {
  /** Row-major [batchSize, seqLen]. */
  inputIds: Int32Array;
  batchSize: number;
  seqLen: number;
  /** Present only when some row had to be padded (a stream shorter than one window). */
  attentionMask?: Uint8Array;
}

export interface GetBatchOptions {
  batchSize: number;
  seqLen: number;
  /** Id put at position 0 of every row. */
  cls: number;
  /** Id of padding; needed only when the stream is shorter than seqLen − 1 tokens. */
  pad?: number | undefined;
}

/** Samples one batch; advances `rng` by exactly one draw per row. */
export function getBatch(stream: TokenStream, rng: Rng, options: GetBatchOptions): Batch {
  return sampleRows(() => ({ stream, rng }), options);
}

/**
 * Fills a batch row by row, each row from the stream `pick(b)` names and with that stream's generator
 * (one draw per row). Shared by getBatch and the mixture sampler; a short stream's rows are padded and
 * masked, the others get a mask of ones when some row of the batch needed one.
 */
export function sampleRows(
  pick: (row: number) => { stream: TokenStream; rng: Rng },
  options: GetBatchOptions,
): Batch {
  const { batchSize, seqLen, cls } = options;
  const width = seqLen - 1;
  const inputIds = new Int32Array(batchSize * seqLen);
  let attentionMask: Uint8Array | undefined;
  for (let b = 0; b < batchSize; b++) {
    const { stream, rng } = pick(b);
    const tokens = stream.tokens;
    if (tokens.length === 0) throw new RangeError('cannot sample a batch from an empty token stream');
    const row = b * seqLen;
    inputIds[row] = cls;
    if (tokens.length < width) {
      if (options.pad === undefined) {
        throw new RangeError(
          `the stream has ${tokens.length} tokens, fewer than one window, and no [PAD] token`,
        );
      }
      if (!attentionMask) attentionMask = new Uint8Array(batchSize * seqLen).fill(1, 0, row);
      // The whole stream, padded; the draw keeps the generator in step with long streams.
      rng.nextUint32();
      inputIds.set(tokens, row + 1);
      inputIds.fill(options.pad, row + 1 + tokens.length, row + seqLen);
      attentionMask.fill(1, row, row + 1 + tokens.length);
      continue;
    }
    const offset = rng.nextInt(tokens.length - width + 1);
    inputIds.set(tokens.subarray(offset, offset + width), row + 1);
    attentionMask?.fill(1, row, row + seqLen);
  }
  return attentionMask ? { inputIds, batchSize, seqLen, attentionMask } : { inputIds, batchSize, seqLen };
}
