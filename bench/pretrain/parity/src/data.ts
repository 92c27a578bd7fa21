// Learnable synthetic MLM data, fully determined by a seed: token sequences from a sparse first-order
// Markov chain (so context predicts masked tokens and the loss falls well below ln V within 50 steps),
// some rows padded, 15% of tokens masked with BERT's 80/10/10 rule.
import type { MlmBatch, Rng } from '@headstart/model';

export const PAD = 0;
export const CLS = 1;
export const SEP = 2;
export const MASK = 3;
const FIRST_WORD = 4;

export interface Corpus {
  vocabSize: number;
  /** successors[t] = the 4 likely next tokens after t. */
  successors: Int32Array[];
}

function zipfToken(rng: Rng, vocabSize: number): number {
  // Inverse-CDF of a ~1/rank distribution over word ids, by rejection on a log-uniform draw.
  const words = vocabSize - FIRST_WORD;
  for (;;) {
    const rank = Math.floor(Math.exp(rng.nextFloat() * Math.log(words + 1))) - 1;
    if (rank >= 0 && rank < words) return FIRST_WORD + rank;
  }
}

export function createCorpus(rng: Rng, vocabSize: number): Corpus {
  const successors = Array.from({ length: vocabSize }, () =>
    Int32Array.from({ length: 4 }, () => zipfToken(rng, vocabSize)),
  );
  return { vocabSize, successors };
}

const SUCCESSOR_CDF = [0.5, 0.75, 0.9, 1];

function nextToken(corpus: Corpus, rng: Rng, previous: number): number {
  if (rng.nextFloat() < 0.1) return zipfToken(rng, corpus.vocabSize);
  const u = rng.nextFloat();
  const choice = SUCCESSOR_CDF.findIndex((c) => u < c);
  return corpus.successors[previous]?.[choice] as number;
}

/** One micro-batch: [CLS] words… [SEP] [PAD]…, with about 1 row in 3 shortened and padded. */
export function sampleMlmBatch(corpus: Corpus, rng: Rng, batchSize: number, seqLen: number): MlmBatch {
  const inputIds = new Int32Array(batchSize * seqLen);
  const attentionMask = new Int32Array(batchSize * seqLen);
  const positions: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    const length = rng.nextFloat() < 1 / 3 ? seqLen / 2 + rng.nextInt(seqLen / 2) : seqLen;
    const row = b * seqLen;
    let token = zipfToken(rng, corpus.vocabSize);
    inputIds[row] = CLS;
    for (let s = 1; s < length - 1; s++) {
      inputIds[row + s] = token;
      token = nextToken(corpus, rng, token);
    }
    inputIds[row + length - 1] = SEP;
    attentionMask.fill(1, row, row + length);
    const words = Array.from({ length: length - 2 }, (_, i) => row + 1 + i);
    const chosen = words.filter(() => rng.nextFloat() < 0.15);
    if (chosen.length === 0) chosen.push(words[rng.nextInt(words.length)] as number);
    for (const p of chosen) {
      positions.push(p);
      labels.push(inputIds[p] as number);
      const u = rng.nextFloat();
      if (u < 0.8) inputIds[p] = MASK;
      else if (u < 0.9) inputIds[p] = FIRST_WORD + rng.nextInt(corpus.vocabSize - FIRST_WORD);
    }
  }
  return {
    inputIds,
    attentionMask,
    batchSize,
    seqLen,
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}
