// @headstart/pretrain/internal: the training library behind the worker, for this repo's tests (tiny
// checkpoints) and benchmarks (the loop, sample efficiency, learning curves). Not a stable surface: it
// follows the worker's needs. Services and libraries use the package's main entry.
export type { TrainingConfig, LrDecayName } from './training/training-config';
export { DEFAULT_TRAINING, tokensPerStep } from './training/training-config';
export type { SpecialTokenIds } from './training/special-tokens';
export type { TokenStream } from './training/pack-documents';
export { packDocuments } from './training/pack-documents';
export { getBatch } from './training/get-batch';
export { createMaskingPolicy, maskTokens } from './training/mask-tokens';
export { makeEvalBatches } from './training/estimate-loss';
export { createTrainingRngs } from './training/seeds';
export { lrAt } from './training/lr';
export { createSession, disposeSession } from './training/session';
export type { TrainingData } from './training/train-loop';
export { train } from './training/train-loop';
export { prepareTrainingData } from './training/training-data';
export { packSessionCheckpoint } from './checkpoint/pack-session';
