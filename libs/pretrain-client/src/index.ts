// @headstart/pretrain-client: a typed promise client of the pretrain service.
export {
  DEFAULT_PRETRAIN_DEADLINE_MS,
  DEFAULT_PRETRAIN_STREAM_DEADLINE_MS,
  createPretrainClient,
  isTerminalRun,
} from './client';
export type { ListRunsInput, PretrainClient, PretrainClientOptions, StartRunSettings } from './client';
export type { CallSettings } from '@headstart/client-kit';
