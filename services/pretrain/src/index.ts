// @headstart/pretrain: masked-LM pre-training as a service — the PretrainService API, the queue worker
// and their configuration. Clients use @headstart/pretrain-client; the checkpoint format is
// @headstart/checkpoint. The training library itself (sessions, the loop, batches) is internal:
// this repo's tests and benchmarks reach it through `@headstart/pretrain/internal`.
export type { PretrainServiceHandle, PretrainServiceOptions } from './create-pretrain-service';
export { DEFAULT_PRETRAIN_PORT, createPretrainService } from './create-pretrain-service';
export type { PretrainWorkerHandle, PretrainWorkerOptions } from './worker/create-pretrain-worker';
export { DEFAULT_HEALTH_PORT, createPretrainWorker } from './worker/create-pretrain-worker';
export { pretrainConfigSpec, pretrainWorkerConfigSpec } from './config';
export type { PretrainConfig, PretrainWorkerConfig } from './config';
