// Test fixtures (not part of the public API): a tiny vocabulary, learnable synthetic documents, shards
// files built from them, and tiny model/training configs, so whole runs take well under a second a step.
import { selectBackend, tf } from '@headstart/compute';
import type { BertConfig } from '@headstart/model';
import { createRng, resolveConfig } from '@headstart/model';
import type { ShardsMeta } from '@headstart/shards';
import { writeShards } from '@headstart/shards';
import type { TrainingConfig } from '../training/training-config';

export const TINY_SPECIALS: Record<string, number> = {
  '[PAD]': 0,
  '[UNK]': 1,
  '[CLS]': 2,
  '[SEP]': 3,
  '[MASK]': 4,
};
export const TINY_VOCAB = 100;
const FIRST_ORDINARY = 5;

/**
 * Documents of ordinary ids where each token follows from the previous by a fixed rule (with a little
 * noise), so a model can learn to fill masks and the loss visibly falls.
 */
export function tinyDocuments(seed: number, count: number, meanLength = 40): number[][] {
  const rng = createRng(seed);
  const span = TINY_VOCAB - FIRST_ORDINARY;
  return Array.from({ length: count }, () => {
    const length = Math.max(3, meanLength + rng.nextInt(21) - 10);
    let token = rng.nextInt(span);
    const doc: number[] = [];
    for (let i = 0; i < length; i++) {
      doc.push(FIRST_ORDINARY + token);
      token = rng.nextFloat() < 0.1 ? rng.nextInt(span) : (token * 7 + 3) % span;
    }
    return doc;
  });
}

export interface TinyShardsOptions {
  trainDocuments?: number;
  validationDocuments?: number;
  seed?: number;
  /** The tokenizer digest in the header (default 'f' × 64): another value means another tokenizer. */
  tokenizerSha256?: string;
}

/** Writes a shards file of tiny synthetic documents to `path`. */
export function writeTinyShards(path: string, options: TinyShardsOptions = {}): Promise<ShardsMeta> {
  const seed = options.seed ?? 1;
  return writeShards(
    {
      path,
      vocabSize: TINY_VOCAB,
      tokenizerSha256: options.tokenizerSha256 ?? 'f'.repeat(64),
      specialTokens: TINY_SPECIALS,
    },
    {
      train: tinyDocuments(seed, options.trainDocuments ?? 200),
      validation: tinyDocuments(seed + 1000, options.validationDocuments ?? 20),
    },
  );
}

export const TINY_MODEL: BertConfig = resolveConfig({
  vocabSize: TINY_VOCAB,
  dModel: 16,
  heads: 2,
  layers: 1,
  ff: 32,
  maxLen: 16,
  dropout: 0.1,
});

export function tinyTraining(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    learningRate: 3e-3,
    warmupSteps: 5,
    decay: 'cosine',
    minLearningRate: 3e-4,
    weightDecay: 0.01,
    beta1: 0.9,
    beta2: 0.98,
    adamEpsilon: 1e-6,
    clipNorm: 1,
    batchSize: 4,
    seqLen: 16,
    gradAccumulation: 2,
    totalSteps: 30,
    tokenBudget: 0,
    timeBudgetMs: 0,
    evalEvery: 10,
    evalBatches: 2,
    checkpointEvery: 10,
    keepLast: 2,
    maskProb: 0.15,
    seed: 7,
    backend: undefined,
    ...overrides,
  };
}

/** The production CPU path (native kernels when built, else the pure-JS backend), quietly. */
export async function useTestBackend(): Promise<string> {
  tf.env().set('PROD', true);
  const info = await selectBackend({
    backend: 'cpu',
    logger: { info: () => undefined, warn: () => undefined },
  });
  return info.name;
}
