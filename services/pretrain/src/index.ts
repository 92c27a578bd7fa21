// @headstart/pretrain: masked-LM pre-training — the training library (getBatch, maskTokens, estimateLoss,
// the loop, checkpoints of sessions), the PretrainService API and the queue worker. The checkpoint format
// itself is @headstart/checkpoint.
export type { TrainingConfig, LrDecayName } from './training/training-config';
export { DEFAULT_TRAINING, resolveTotalSteps, tokensPerStep } from './training/training-config';
export type { SpecialTokenIds } from './training/special-tokens';
export { SpecialTokensError, resolveSpecialTokens } from './training/special-tokens';
export type { TokenStream } from './training/pack-documents';
export { packDocuments } from './training/pack-documents';
export type { Batch, GetBatchOptions } from './training/get-batch';
export { getBatch } from './training/get-batch';
export type { MixedStreams } from './training/mixture';
export { getMixedBatch, normaliseWeights, pickSource } from './training/mixture';
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
export { packSessionCheckpoint } from './checkpoint/pack-session';
export { restoreSession } from './checkpoint/restore-session';
export type { LocalCheckpoint } from './checkpoint/local-checkpoints';
export {
  checkpointFileName,
  listCheckpoints,
  rotateCheckpoints,
  writeCheckpointFile,
} from './checkpoint/local-checkpoints';
export type { ResolvedRunSpec, RunSource, ShardsFacts } from './spec/resolve-run-spec';
export {
  DEFAULT_FINAL_ALIAS,
  MAX_MIXTURE_SOURCES,
  RESERVED_ALIASES,
  resolveRunSpec,
  runSources,
} from './spec/resolve-run-spec';
export type { SpecProblem } from './spec/field-checks';
export type { PretrainServiceHandle, PretrainServiceOptions } from './service/create-pretrain-service';
export { DEFAULT_PRETRAIN_PORT, createPretrainService } from './service/create-pretrain-service';
export type { PretrainWorkerHandle, PretrainWorkerOptions } from './worker/create-pretrain-worker';
export { DEFAULT_HEALTH_PORT, createPretrainWorker } from './worker/create-pretrain-worker';
export { pretrainConfigSpec, pretrainWorkerConfigSpec } from './config';
export type { PretrainConfig, PretrainWorkerConfig } from './config';
export type { PretrainQueueOptions } from './queue/work-type';
export { pretrainWorkType } from './queue/work-type';
export type { Lease, RunRecord, RunStore, StoredRun } from './runs/run-store';
export { DEFAULT_RUNS_BUCKET, openRunStore } from './runs/run-store';
export {
  PROGRESS_SUBJECT_PREFIX,
  progressSubject,
  publishProgress,
  subscribeProgress,
} from './runs/progress';
export { isTerminal } from './runs/run-state';
export type { CheckpointTarget } from './registry/register-checkpoint';
export {
  BEST_CHECKPOINT_ALIAS,
  LATEST_CHECKPOINT_ALIAS,
  checkpointIdempotencyKey,
  latestRegisteredCheckpoint,
} from './registry/register-checkpoint';
export { TrainingDataError, prepareTrainingData } from './training/training-data';
