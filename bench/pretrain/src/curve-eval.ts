// What the learning curve is judged against: fill-mask accuracy on held-out text (the validation split:
// 15% of ordinary tokens replaced by [MASK], top-1/top-5 of the model's predictions), and the unigram
// level — the loss and top-1 accuracy of always predicting from training-token frequencies, which a
// pre-trained base must beat clearly before it helps fine-tuning.
import type { BertModel } from '@headstart/model';
import { createRng, predictMasked } from '@headstart/model';
import type { SpecialTokenIds, TokenStream } from '@headstart/pretrain/internal';
import { getBatch } from '@headstart/pretrain/internal';

export interface FillMaskResult {
  masked: number;
  top1: number;
  top5: number;
  /** Top-1 accuracy of always answering the most frequent training token. */
  unigramTop1: number;
}

export interface UnigramLevel {
  /** Cross-entropy (nats) of validation tokens under add-one-smoothed training frequencies. */
  crossEntropy: number;
  mostFrequent: number;
}

function ordinaryCounts(stream: TokenStream, vocabSize: number, special: Set<number>): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (const id of stream.tokens) if (!special.has(id)) counts[id] = (counts[id] as number) + 1;
  return counts;
}

export function unigramLevel(
  train: TokenStream,
  validation: TokenStream,
  vocabSize: number,
  specials: SpecialTokenIds,
): UnigramLevel {
  const special = new Set(specials.all);
  const counts = ordinaryCounts(train, vocabSize, special);
  const total = counts.reduce((a, b) => a + b, 0) + vocabSize;
  let sum = 0;
  let n = 0;
  for (const id of validation.tokens) {
    if (special.has(id)) continue;
    sum -= Math.log(((counts[id] as number) + 1) / total);
    n++;
  }
  let mostFrequent = 0;
  counts.forEach((c, id) => {
    if (c > (counts[mostFrequent] as number)) mostFrequent = id;
  });
  return { crossEntropy: sum / n, mostFrequent };
}

export async function fillMaskAccuracy(
  model: BertModel,
  validation: TokenStream,
  specials: SpecialTokenIds,
  options: { batches: number; batchSize: number; seqLen: number; seed: number; mostFrequent: number },
): Promise<FillMaskResult> {
  const rng = createRng(options.seed);
  const special = new Set(specials.all);
  let masked = 0;
  let top1 = 0;
  let top5 = 0;
  let unigram = 0;
  for (let b = 0; b < options.batches; b++) {
    const batch = getBatch(validation, rng, {
      batchSize: options.batchSize,
      seqLen: options.seqLen,
      cls: specials.cls,
      pad: specials.pad,
    });
    const inputIds = Int32Array.from(batch.inputIds);
    const positions: number[] = [];
    const labels: number[] = [];
    inputIds.forEach((id, i) => {
      if (!special.has(id) && rng.nextFloat() < 0.15) {
        positions.push(i);
        labels.push(id);
        inputIds[i] = specials.mask;
      }
    });
    if (positions.length === 0) continue;
    const predictions = await predictMasked(
      model,
      {
        inputIds,
        batchSize: batch.batchSize,
        seqLen: batch.seqLen,
        maskedPositions: Int32Array.from(positions),
      },
      5,
    );
    predictions.forEach((p, i) => {
      const label = labels[i] as number;
      if (p.tokenIds[0] === label) top1++;
      if (p.tokenIds.includes(label)) top5++;
      if (label === options.mostFrequent) unigram++;
    });
    masked += positions.length;
  }
  return { masked, top1: top1 / masked, top5: top5 / masked, unigramTop1: unigram / masked };
}
