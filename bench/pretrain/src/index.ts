export { CONFIGS, flopsPerStep, maskedRows } from './config';
export type { BenchConfig } from './config';
export { createRng, makeBatch, MASK_ID } from './data';
export type { MlmBatch } from './data';
export { batchTensors, createModel, mlmLoss, modelVariables } from './model';
export type { MlmModel } from './model';
export { profileStep, timeTfjsSteps } from './tfjs_step';
export type { KernelProfile, StepTimings } from './tfjs_step';
