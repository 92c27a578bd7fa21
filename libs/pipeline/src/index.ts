export { startLocalStack } from './local-stack';
export type { LocalStack, LocalStackOptions } from './local-stack';
export { runPipeline } from './run-pipeline';
export type { PipelineOptions } from './run-pipeline';
export { pipelineConfigSpec } from './config';
