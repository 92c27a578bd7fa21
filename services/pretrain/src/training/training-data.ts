// nanoGPT's prepare step, at run start: pack the shards' splits into token streams, find the special
// tokens, and draw the fixed evaluation batches.
import type { Shards } from '@headstart/shards';
import { makeEvalBatches } from './estimate-loss';
import { createMaskingPolicy } from './mask-tokens';
import { packDocuments } from './pack-documents';
import { resolveSpecialTokens } from './special-tokens';
import type { TrainingData } from './train-loop';
import type { TrainingConfig } from './training-config';

/** The shards cannot feed this run (no validation tokens, ids beyond the model's vocabulary...). */
export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
}

export function prepareTrainingData(
  shards: Shards,
  config: TrainingConfig,
  modelVocabSize: number,
): TrainingData {
  if (shards.meta.vocabSize > modelVocabSize) {
    throw new TrainingDataError(
      `the shards' vocabulary (${shards.meta.vocabSize}) is larger than the model's (${modelVocabSize})`,
    );
  }
  const specials = resolveSpecialTokens(shards.meta.specialTokens);
  const train = packDocuments(shards.train, specials);
  const validation = packDocuments(shards.validation, specials);
  if (train.tokens.length < 2) throw new TrainingDataError('the shards have no training tokens');
  if (validation.tokens.length < 2) {
    throw new TrainingDataError('the shards have no validation tokens; evaluation needs a validation split');
  }
  const policy = createMaskingPolicy(modelVocabSize, specials, config.maskProb);
  const evalBatches = makeEvalBatches(validation, policy, {
    batches: config.evalBatches,
    batchSize: config.batchSize,
    seqLen: config.seqLen,
    cls: specials.cls,
    pad: specials.pad,
    seed: config.seed,
  });
  return { train, evalBatches, policy, specials };
}
