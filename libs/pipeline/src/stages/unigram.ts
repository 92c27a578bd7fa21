// What a model that knows only word frequencies scores on masked-token prediction: the entropy of the
// training tokens' unigram distribution, and the cross-entropy of the validation tokens under it (with
// add-one smoothing, so an unseen token costs a finite amount). An MLM's eval loss (nats) is worth
// something only below these.
import type { TokenArray } from '@headstart/shards';

export interface UnigramStats {
  /** Nats: -Σ p ln p over the training tokens (special tokens excluded). */
  trainEntropy: number;
  /** Nats per token: mean -ln q(token) of the validation tokens, q the smoothed training unigram. */
  validationCrossEntropy: number;
  trainTokens: number;
  validationTokens: number;
  /** Distinct non-special tokens seen in training. */
  distinctTokens: number;
}

function counts(
  tokens: TokenArray,
  vocabSize: number,
  special: ReadonlySet<number>,
): { counts: Float64Array; total: number } {
  const c = new Float64Array(vocabSize);
  let total = 0;
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i] as number;
    if (special.has(id)) continue;
    c[id] = (c[id] as number) + 1;
    total++;
  }
  return { counts: c, total };
}

export function unigramStats(
  train: TokenArray,
  validation: TokenArray,
  vocabSize: number,
  specialIds: Iterable<number>,
): UnigramStats {
  const special = new Set(specialIds);
  const t = counts(train, vocabSize, special);
  let entropy = 0;
  let distinct = 0;
  for (const n of t.counts) {
    if (n === 0) continue;
    distinct++;
    const p = n / t.total;
    entropy -= p * Math.log(p);
  }
  const outcomes = vocabSize - special.size;
  const denominator = t.total + outcomes;
  let crossSum = 0;
  let validationTokens = 0;
  for (let i = 0; i < validation.length; i++) {
    const id = validation[i] as number;
    if (special.has(id)) continue;
    crossSum -= Math.log(((t.counts[id] ?? 0) + 1) / denominator);
    validationTokens++;
  }
  return {
    trainEntropy: entropy,
    validationCrossEntropy: validationTokens > 0 ? crossSum / validationTokens : NaN,
    trainTokens: t.total,
    validationTokens,
    distinctTokens: distinct,
  };
}
