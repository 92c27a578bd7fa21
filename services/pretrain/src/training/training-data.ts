// nanoGPT's prepare step, at run start: pack the shards' splits into token streams, find the special
// tokens, and draw the fixed evaluation batches. A mixed run packs every source and draws its evaluation
// windows from the sources' validation splits by the same weights.
import type { Shards } from '@headstart/shards';
import { makeEvalBatches } from './estimate-loss';
import { createMaskingPolicy } from './mask-tokens';
import type { MixedStreams } from './mixture';
import type { TokenStream } from './pack-documents';
import { packDocuments } from './pack-documents';
import { resolveSpecialTokens } from './special-tokens';
import type { TrainingData } from './train-loop';
import type { TrainingConfig } from './training-config';

/** The shards cannot feed this run (no validation tokens, ids beyond the model's vocabulary...). */
export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
}

const sameSpecials = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * @param shards the run's one source, or a mixed run's sources in the order of `config.mixture`.
 */
export function prepareTrainingData(
  shards: Shards | readonly Shards[],
  config: TrainingConfig,
  modelVocabSize: number,
): TrainingData {
  const sources = Array.isArray(shards) ? (shards as readonly Shards[]) : [shards as Shards];
  const weights = config.mixture ?? [1];
  if (sources.length !== weights.length) {
    throw new TrainingDataError(`the run mixes ${weights.length} source(s) but ${sources.length} were given`);
  }
  const first = sources[0] as Shards;
  for (const source of sources) {
    if (source.meta.vocabSize > modelVocabSize) {
      throw new TrainingDataError(
        `the shards' vocabulary (${source.meta.vocabSize}) is larger than the model's (${modelVocabSize})`,
      );
    }
    if (!sameSpecials(source.meta.specialTokens, first.meta.specialTokens)) {
      throw new TrainingDataError("the mixture's sources do not share their special tokens");
    }
  }
  const specials = resolveSpecialTokens(first.meta.specialTokens);
  const train: TokenStream[] = [];
  const validation: TokenStream[] = [];
  for (const source of sources) {
    train.push(packDocuments(source.train, specials));
    validation.push(packDocuments(source.validation, specials));
    if ((train.at(-1) as TokenStream).tokens.length < 2)
      throw new TrainingDataError('the shards have no training tokens');
    if ((validation.at(-1) as TokenStream).tokens.length < 2) {
      throw new TrainingDataError(
        'the shards have no validation tokens; evaluation needs a validation split',
      );
    }
  }
  const policy = createMaskingPolicy(modelVocabSize, specials, config.maskProb);
  const mixture: MixedStreams | undefined = config.mixture
    ? { streams: train, weights: config.mixture }
    : undefined;
  const evalBatches = makeEvalBatches(
    mixture ? { streams: validation, weights: config.mixture as number[] } : (validation[0] as TokenStream),
    policy,
    {
      batches: config.evalBatches,
      batchSize: config.batchSize,
      seqLen: config.seqLen,
      cls: specials.cls,
      pad: specials.pad,
      seed: config.seed,
    },
  );
  return { train: train[0] as TokenStream, ...(mixture ? { mixture } : {}), evalBatches, policy, specials };
}
