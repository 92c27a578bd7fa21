// BERT's masking, drawn anew for every batch: each non-special position is chosen with probability
// maskProb; a chosen position becomes [MASK] 80% of the time, a random ordinary token 10%, and stays as
// it is 10% — and is predicted in every case. Special tokens ([CLS], [SEP], [PAD], [UNK], ...) are never
// chosen and never drawn as replacements (HF's collator excludes them via special_tokens_mask too).
import type { MlmBatch, Rng } from '@headstart/model';
import type { Batch } from './get-batch';
import type { SpecialTokenIds } from './special-tokens';

export interface MaskingPolicy {
  maskProb: number;
  maskId: number;
  /** isSpecial[id] === 1 for ids never masked. */
  isSpecial: Uint8Array;
  /** Ordinary ids a chosen position may be replaced with (the 10% random case). */
  replacements: Int32Array;
}

export function createMaskingPolicy(
  vocabSize: number,
  specials: Pick<SpecialTokenIds, 'all' | 'mask'>,
  maskProb: number,
): MaskingPolicy {
  if (!(maskProb > 0 && maskProb < 1)) throw new RangeError(`maskProb must be in (0, 1), got ${maskProb}`);
  const isSpecial = new Uint8Array(vocabSize);
  for (const id of specials.all) if (id < vocabSize) isSpecial[id] = 1;
  const replacements: number[] = [];
  for (let id = 0; id < vocabSize; id++) if (isSpecial[id] === 0) replacements.push(id);
  if (replacements.length === 0) throw new RangeError('the vocabulary has no ordinary token to mask');
  return { maskProb, maskId: specials.mask, isSpecial, replacements: Int32Array.from(replacements) };
}

/** Returns a masked copy of the batch with the positions and original ids to predict. */
export function maskTokens(batch: Batch, policy: MaskingPolicy, rng: Rng): MlmBatch {
  const { inputIds, attentionMask } = batch;
  const masked = Int32Array.from(inputIds);
  const positions: number[] = [];
  const labels: number[] = [];
  const eligible = (i: number) =>
    policy.isSpecial[inputIds[i] as number] === 0 && (attentionMask === undefined || attentionMask[i] === 1);

  const corrupt = (i: number): void => {
    positions.push(i);
    labels.push(inputIds[i] as number);
    const r = rng.nextFloat();
    if (r < 0.8) masked[i] = policy.maskId;
    else if (r < 0.9) masked[i] = policy.replacements[rng.nextInt(policy.replacements.length)] as number;
    // else: kept as it is, still predicted
  };

  let eligibleCount = 0;
  for (let i = 0; i < inputIds.length; i++) {
    if (!eligible(i)) continue;
    eligibleCount++;
    if (rng.nextFloat() < policy.maskProb) corrupt(i);
  }
  if (positions.length === 0) {
    // A short batch can draw no mask at all; predict one position rather than skip the step.
    if (eligibleCount === 0) throw new RangeError('the batch has no token that may be masked');
    let k = rng.nextInt(eligibleCount);
    for (let i = 0; i < inputIds.length; i++) {
      if (eligible(i) && k-- === 0) {
        corrupt(i);
        break;
      }
    }
  }
  return {
    inputIds: masked,
    batchSize: batch.batchSize,
    seqLen: batch.seqLen,
    ...(attentionMask ? { attentionMask } : {}),
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}
