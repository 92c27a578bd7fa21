// @headstart/finetune-client: a typed promise client of the finetune service.
export {
  createFinetuneClient,
  DEFAULT_FINETUNE_DEADLINE_MS,
  DEFAULT_FINETUNE_STREAM_DEADLINE_MS,
  isTerminalFinetune,
} from './client';
export type { FinetuneClient, FinetuneClientOptions, ListFinetunesInput } from './client';
export type { CallSettings } from './call';
export {
  formatJobState,
  formatTriggerCondition,
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
