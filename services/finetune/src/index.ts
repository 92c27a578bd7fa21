// @headstart/finetune: triggers that turn checkpoint events into fine-tune jobs, the workers that train,
// evaluate and register classifiers, and Classify / FillMask predictions — the service, the worker and
// their configuration. Clients use @headstart/finetune-client. The training parts a job is made of are
// internal: this repo's benchmarks reach them through `@headstart/finetune/internal`.
export { createFinetuneService, DEFAULT_FINETUNE_PORT } from './create-finetune-service';
export type { FinetuneServiceHandle, FinetuneServiceOptions } from './create-finetune-service';
export { createFinetuneWorker, DEFAULT_WORKER_HEALTH_PORT } from './create-finetune-worker';
export type {
  FinetuneWorkerHandle,
  FinetuneWorkerOptions,
  FinetuneWorkerStats,
} from './create-finetune-worker';
export { finetuneConfigSpec, finetuneWorkerConfigSpec } from './config';
export type { FinetuneConfig, FinetuneWorkerConfig } from './config';
