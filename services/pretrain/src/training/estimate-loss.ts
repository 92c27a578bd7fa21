// nanoGPT's estimate_loss: the MLM loss on validation data, in evaluation mode (no dropout). The batches
// and their masks are drawn once from a generator seeded by the run's seed, so every evaluation of a run
// — and of every run with the same seed and shards — scores the same tokens: curves are comparable.
import { tf } from '@headstart/compute';
import type { BertModel, MlmBatch } from '@headstart/model';
import { createRng, mlmLoss } from '@headstart/model';
import type { TokenStream } from './pack-documents';
import { getBatch } from './get-batch';
import type { MaskingPolicy } from './mask-tokens';
import { maskTokens } from './mask-tokens';
import type { MixedStreams } from './mixture';
import { getMixedBatch } from './mixture';
import { deriveSeed } from './seeds';

export interface Evaluation {
  /** Mean cross-entropy over every masked token of the evaluation batches (nats). */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  maskedTokens: number;
}

export interface EvalBatchOptions {
  batches: number;
  batchSize: number;
  seqLen: number;
  cls: number;
  pad?: number | undefined;
  seed: number;
}

/**
 * The fixed evaluation set of a run: windows of its validation stream, or of a mixed run's validation
 * streams picked by the mixture's weights (one generator for picks, windows and masks).
 */
export function makeEvalBatches(
  stream: TokenStream | MixedStreams,
  policy: MaskingPolicy,
  options: EvalBatchOptions,
): MlmBatch[] {
  const rng = createRng(deriveSeed(options.seed, 'eval'));
  if ('streams' in stream) {
    const cursors = stream.streams.map(() => rng);
    const tokens = stream.streams.map(() => 0);
    return Array.from({ length: options.batches }, () =>
      maskTokens(getMixedBatch(stream, rng, cursors, tokens, options), policy, rng),
    );
  }
  return Array.from({ length: options.batches }, () =>
    maskTokens(getBatch(stream, rng, options), policy, rng),
  );
}

/** Evaluation-mode loss over `batches`, weighted by masked tokens (a token counts once wherever it is). */
export async function estimateLoss(model: BertModel, batches: readonly MlmBatch[]): Promise<Evaluation> {
  let sum = 0;
  let count = 0;
  for (const batch of batches) {
    const loss = tf.tidy(() => mlmLoss(model, batch, { reduction: 'sum' }));
    try {
      sum += (await loss.data())[0] as number;
    } finally {
      loss.dispose();
    }
    count += batch.maskedLabels.length;
  }
  const mean = count > 0 ? sum / count : NaN;
  return { loss: mean, perplexity: Math.exp(mean), maskedTokens: count };
}
