import { createRng } from '@headstart/model';
import { getBatch } from './get-batch';
import type { TokenStream } from './pack-documents';
import { packDocuments } from './pack-documents';

const CLS = 2;
const SEP = 3;
const PAD = 0;

function streamOf(values: number[]): TokenStream {
  return { tokens: Uint16Array.from(values), documents: 1 };
}

describe('packDocuments', () => {
  it('joins documents with [SEP], drops a wrapping [CLS] … [SEP] and skips empty documents', () => {
    const tokens = Uint16Array.from([10, 11, 12, CLS, 20, 21, SEP, 30]);
    const docStarts = Float64Array.from([0, 3, 3, 7, 8]);
    const packed = packDocuments({ tokens, docStarts, documentCount: 4 }, { cls: CLS, sep: SEP });
    expect(Array.from(packed.tokens)).toEqual([10, 11, 12, SEP, 20, 21, SEP, 30, SEP]);
    expect(packed.documents).toBe(3);
  });
});

describe('getBatch', () => {
  const stream = streamOf(Array.from({ length: 500 }, (_, i) => 5 + (i % 90)));

  it('cuts [CLS] + a contiguous window of the stream for every row', () => {
    const batch = getBatch(stream, createRng(1), { batchSize: 8, seqLen: 16, cls: CLS });
    expect(batch.inputIds.length).toBe(8 * 16);
    expect(batch.attentionMask).toBeUndefined();
    const text = Array.from(stream.tokens).join(',');
    for (let b = 0; b < 8; b++) {
      const row = Array.from(batch.inputIds.subarray(b * 16, (b + 1) * 16));
      expect(row[0]).toBe(CLS);
      expect(text).toContain(row.slice(1).join(','));
    }
  });

  it('is a pure function of the generator state: same seed, same batches; other seed, other batches', () => {
    const a = createRng(3);
    const b = createRng(3);
    for (let i = 0; i < 5; i++) {
      const x = getBatch(stream, a, { batchSize: 4, seqLen: 16, cls: CLS });
      const y = getBatch(stream, b, { batchSize: 4, seqLen: 16, cls: CLS });
      expect(Array.from(x.inputIds)).toEqual(Array.from(y.inputIds));
    }
    const other = getBatch(stream, createRng(4), { batchSize: 4, seqLen: 16, cls: CLS });
    const first = getBatch(stream, createRng(3), { batchSize: 4, seqLen: 16, cls: CLS });
    expect(Array.from(other.inputIds)).not.toEqual(Array.from(first.inputIds));
  });

  it('resumes the same sequence of batches from a saved generator state', () => {
    const rng = createRng(11);
    getBatch(stream, rng, { batchSize: 4, seqLen: 16, cls: CLS });
    const saved = rng.getState();
    const next = getBatch(stream, rng, { batchSize: 4, seqLen: 16, cls: CLS });
    const restored = createRng(0);
    restored.setState(saved);
    expect(Array.from(getBatch(stream, restored, { batchSize: 4, seqLen: 16, cls: CLS }).inputIds)).toEqual(
      Array.from(next.inputIds),
    );
  });

  it('reaches the last window of the stream', () => {
    const short = streamOf([10, 11, 12, 13, 14, 15, 16, 17]);
    const starts = new Set<number>();
    const rng = createRng(5);
    for (let i = 0; i < 200; i++)
      starts.add(getBatch(short, rng, { batchSize: 1, seqLen: 4, cls: CLS }).inputIds[1] as number);
    expect([...starts].sort()).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('pads a stream shorter than one window and masks the padding out', () => {
    const batch = getBatch(streamOf([7, 8, SEP]), createRng(1), {
      batchSize: 2,
      seqLen: 6,
      cls: CLS,
      pad: PAD,
    });
    expect(Array.from(batch.inputIds)).toEqual([CLS, 7, 8, SEP, PAD, PAD, CLS, 7, 8, SEP, PAD, PAD]);
    expect(Array.from(batch.attentionMask ?? [])).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0]);
    expect(() => getBatch(streamOf([7]), createRng(1), { batchSize: 1, seqLen: 6, cls: CLS })).toThrow(
      /no \[PAD\]/,
    );
  });
});
