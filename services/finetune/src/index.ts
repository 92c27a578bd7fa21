// @headstart/finetune: triggers that turn checkpoint events into fine-tune jobs, the workers that train,
// evaluate and register classifiers, and Classify / FillMask predictions.
export { createFinetuneService, DATABASE_FILE, DEFAULT_FINETUNE_PORT } from './create-finetune-service';
export type { FinetuneServiceHandle, FinetuneServiceOptions } from './create-finetune-service';
export { createFinetuneWorker, DEFAULT_WORKER_HEALTH_PORT } from './create-finetune-worker';
export type {
  FinetuneWorkerHandle,
  FinetuneWorkerOptions,
  FinetuneWorkerStats,
} from './create-finetune-worker';
export { finetuneConfigSpec, finetuneWorkerConfigSpec } from './config';
export type { FinetuneConfig, FinetuneWorkerConfig } from './config';
export { CONTROL_QUEUE_GROUP, CONTROL_SUBJECTS } from './control/protocol';
export {
  DEFAULT_DATA_OPTIONS,
  DEFAULT_HYPERPARAMETERS,
  dataSettings,
  defaultOutputName,
  resolveSpec,
  trainingSettings,
} from './spec/resolve-spec';
export type { DataSettings, EarlyStoppingMetricName, TrainingSettings } from './spec/resolve-spec';
export { parseCsv } from './data/csv';
export { detectFormat, parseDataset } from './data/parse-dataset';
export type { DatasetFormat, DatasetRow, ParsedDataset } from './data/parse-dataset';
export { AUTO_SPLIT, prepareExamples } from './data/prepare-examples';
export type { LabelledExample, PreparedExamples } from './data/prepare-examples';
export {
  FINETUNED_FORMAT,
  FINETUNED_FORMAT_VERSION,
  LABELS_FILE,
  MANIFEST_FILE,
  TOKENIZER_FILE,
  BundleFormatError,
  packFinetunedBundle,
  readFinetunedBundle,
} from './models/finetuned-bundle';
export type { FinetunedBundle, FinetunedManifest, VersionPointer } from './models/finetuned-bundle';
export { findTokenizerVersion } from './models/lineage';
export { classificationMetrics, flatMetrics } from './training/metrics';
export { encodeExamples, makeBatch, padIdOf } from './training/encode';
export type { EncodedExamples } from './training/encode';
export { evaluate } from './training/evaluate';
export { buildJobModel, createJobOptimizer } from './worker/job-model';
export { improves, scheduleFor, trainClassifier } from './training/train-classifier';
export type {
  LoopState,
  Schedule,
  StepReport,
  TrainClassifierOptions,
  TrainOutcome,
} from './training/train-classifier';
export { candidateOf, describeCondition, matches } from './triggers/match';
export type { Candidate, TriggerEvent } from './triggers/match';
export { FinetuneStore, isTerminal } from './store/finetune-store';
export { LruCache } from './lru';
export { ModelCache } from './models/model-cache';
export type { Loaded, ModelCacheOptions } from './models/model-cache';
