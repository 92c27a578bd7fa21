// @headstart/finetune-client: a typed promise client of the finetune service.
export {
  createFinetuneClient,
  DEFAULT_FINETUNE_DEADLINE_MS,
  DEFAULT_FINETUNE_STREAM_DEADLINE_MS,
  isTerminalFinetune,
} from './client';
export type { FinetuneClient, FinetuneClientOptions, ListFinetunesInput } from './client';
export type { CallSettings } from './call';
export { isTerminalStudy } from './study-client';
export type { ListStudiesInput, StudyClient } from './study-client';
export { parsePooling, toStudySpec } from './study-inputs';
export type { PoolingInput, StudyHyperparametersInput, StudySpecInput } from './study-inputs';
export {
  formatJobState,
  formatTriggerCondition,
  isTerminalJobState,
  parseEarlyStoppingMetric,
  parseJobState,
  parseTriggerCondition,
  toFinetuneSpec,
  toTrigger,
} from './inputs';
export type {
  EarlyStoppingMetricInput,
  FinetuneSpecInput,
  JobStateInput,
  TriggerConditionInput,
  TriggerInput,
} from './inputs';
