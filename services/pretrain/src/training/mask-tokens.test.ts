import { createRng } from '@headstart/model';
import { TINY_SPECIALS, TINY_VOCAB } from '../test-support/tiny-data';
import type { Batch } from './get-batch';
import { createMaskingPolicy, maskTokens } from './mask-tokens';
import { resolveSpecialTokens } from './special-tokens';

const specials = resolveSpecialTokens(TINY_SPECIALS);
const policy = createMaskingPolicy(TINY_VOCAB, specials, 0.15);

/** Rows [CLS] w w w [SEP] w w ... with a [SEP] every 10 tokens and some [UNK]s. */
function batchOf(rows: number, seqLen: number, seed = 1): Batch {
  const rng = createRng(seed);
  const inputIds = new Int32Array(rows * seqLen);
  for (let i = 0; i < inputIds.length; i++) {
    const s = i % seqLen;
    inputIds[i] =
      s === 0 ? specials.cls : s % 10 === 0 ? specials.sep : s % 17 === 0 ? 1 : 5 + rng.nextInt(95);
  }
  return { inputIds, batchSize: rows, seqLen };
}

describe('maskTokens', () => {
  const batch = batchOf(400, 128);
  const masked = maskTokens(batch, policy, createRng(42));
  const special = new Set(specials.all);

  it('chooses about maskProb of the ordinary tokens', () => {
    const ordinary = Array.from(batch.inputIds).filter((id) => !special.has(id)).length;
    const share = masked.maskedPositions.length / ordinary;
    expect(share).toBeGreaterThan(0.14);
    expect(share).toBeLessThan(0.16);
  });

  it('replaces 80% with [MASK], 10% with a random ordinary token and keeps 10%', () => {
    let mask = 0;
    let kept = 0;
    let random = 0;
    const wrongLabels: number[] = [];
    const specialReplacements: number[] = [];
    masked.maskedPositions.forEach((position, i) => {
      const now = masked.inputIds[position] as number;
      const label = masked.maskedLabels[i] as number;
      if (label !== batch.inputIds[position]) wrongLabels.push(position);
      if (now === specials.mask) mask++;
      else if (now === label) kept++;
      else random++;
      if (now !== specials.mask && special.has(now)) specialReplacements.push(position);
    });
    expect(wrongLabels).toEqual([]);
    expect(specialReplacements).toEqual([]);
    const n = masked.maskedPositions.length;
    expect(mask / n).toBeGreaterThan(0.77);
    expect(mask / n).toBeLessThan(0.83);
    // "kept" also catches the 1-in-95 random draws that hit the original token.
    expect(kept / n).toBeGreaterThan(0.08);
    expect(kept / n).toBeLessThan(0.12);
    expect(random / n).toBeGreaterThan(0.08);
    expect(random / n).toBeLessThan(0.12);
  });

  it('never masks a special token and leaves unchosen positions alone', () => {
    // One expect over all positions (an expect per position made this test take seconds).
    const chosen = new Set(masked.maskedPositions);
    const maskedSpecials = Array.from(masked.maskedPositions).filter((p) =>
      special.has(batch.inputIds[p] as number),
    );
    expect(maskedSpecials).toEqual([]);
    const changedUnchosen = Array.from(batch.inputIds.keys()).filter(
      (i) => !chosen.has(i) && masked.inputIds[i] !== batch.inputIds[i],
    );
    expect(changedUnchosen).toEqual([]);
  });

  it('draws new masks each call and the same masks from the same generator state', () => {
    const rng = createRng(9);
    const first = maskTokens(batch, policy, rng);
    const second = maskTokens(batch, policy, rng);
    expect(Array.from(second.maskedPositions)).not.toEqual(Array.from(first.maskedPositions));
    const again = maskTokens(batch, policy, createRng(9));
    expect(Array.from(again.maskedPositions)).toEqual(Array.from(first.maskedPositions));
    expect(Array.from(again.inputIds)).toEqual(Array.from(first.inputIds));
  });

  it('always predicts at least one token, and skips padding', () => {
    const tiny: Batch = {
      inputIds: Int32Array.from([specials.cls, 50, specials.sep, 0]),
      batchSize: 1,
      seqLen: 4,
      attentionMask: Uint8Array.from([1, 1, 1, 0]),
    };
    for (let seed = 0; seed < 50; seed++) {
      const out = maskTokens(tiny, policy, createRng(seed));
      expect(Array.from(out.maskedPositions)).toEqual([1]);
      expect(Array.from(out.maskedLabels)).toEqual([50]);
    }
  });

  it('refuses a batch with nothing maskable', () => {
    const onlySpecial: Batch = { inputIds: Int32Array.from([2, 3, 3, 3]), batchSize: 1, seqLen: 4 };
    expect(() => maskTokens(onlySpecial, policy, createRng(1))).toThrow(/no token that may be masked/);
  });
});

describe('resolveSpecialTokens', () => {
  it('finds WordPiece and byte-level BPE names and lists every special id', () => {
    expect(resolveSpecialTokens(TINY_SPECIALS)).toEqual({
      cls: 2,
      sep: 3,
      mask: 4,
      pad: 0,
      all: [0, 1, 2, 3, 4],
    });
    const bpe = resolveSpecialTokens({ '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3, '<mask>': 4 });
    expect(bpe).toMatchObject({ cls: 0, sep: 2, mask: 4, pad: 1 });
  });

  it('names what is missing', () => {
    expect(() => resolveSpecialTokens({ '[CLS]': 0, '[SEP]': 1 })).toThrow(/no \[MASK\] or <mask> token/);
  });
});
