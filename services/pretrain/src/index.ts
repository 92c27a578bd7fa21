// @headstart/pretrain: masked-LM pre-training — the training library (getBatch, maskTokens, estimateLoss,
// the loop, checkpoints), the PretrainService API and the queue worker.
export type { TrainingConfig, LrDecayName } from './training/training-config';
export { DEFAULT_TRAINING, resolveTotalSteps, tokensPerStep } from './training/training-config';
export type { SpecialTokenIds } from './training/special-tokens';
export { SpecialTokensError, resolveSpecialTokens } from './training/special-tokens';
export type { TokenStream } from './training/pack-documents';
export { packDocuments } from './training/pack-documents';
export type { Batch, GetBatchOptions } from './training/get-batch';
export { getBatch } from './training/get-batch';
export type { MaskingPolicy } from './training/mask-tokens';
export { createMaskingPolicy, maskTokens } from './training/mask-tokens';
export type { EvalBatchOptions, Evaluation } from './training/estimate-loss';
export { estimateLoss, makeEvalBatches } from './training/estimate-loss';
export type { StreamName, TrainingRngStates, TrainingRngs } from './training/seeds';
export { createTrainingRngs, deriveSeed } from './training/seeds';
export { lrAt } from './training/lr';
export type { EvalRecord, RunCounters, TrainingSession } from './training/session';
export { createSession, disposeSession } from './training/session';
export type { StepReport, TrainHooks, TrainOutcome, TrainingData } from './training/train-loop';
export { TrainingDivergedError, train } from './training/train-loop';
export type { Checkpoint, CheckpointMeta, CheckpointState } from './checkpoint/bundle';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CheckpointFormatError,
  OPTIMIZER_FILE,
  STATE_FILE,
  packCheckpoint,
  readCheckpoint,
} from './checkpoint/bundle';
export { restoreSession } from './checkpoint/restore-session';
export type { LocalCheckpoint } from './checkpoint/local-checkpoints';
export {
  checkpointFileName,
  listCheckpoints,
  rotateCheckpoints,
  writeCheckpointFile,
} from './checkpoint/local-checkpoints';
export type { TarEntry } from './checkpoint/tar';
export { TarFormatError, packTar, unpackTar } from './checkpoint/tar';
export type { ResolvedRunSpec, ShardsFacts } from './spec/resolve-run-spec';
export { DEFAULT_FINAL_ALIAS, RESERVED_ALIASES, resolveRunSpec } from './spec/resolve-run-spec';
export type { SpecProblem } from './spec/field-checks';
