export { startLocalStack } from './local-stack';
export type { LocalStack, LocalStackOptions, LocalStackService } from './local-stack';
export { runPipeline } from './run-pipeline';
export type { PipelineOptions, PipelineResult } from './run-pipeline';
export { pipelineConfigSpec } from './config';
export {
  DEFAULT_LABEL_BUDGET,
  DEFAULT_PRETRAIN_MINUTES,
  DEMO_SCALE,
  PIPELINE_NAMES,
  TINY_SCALE,
  describeBudget,
} from './scale';
export type { PipelineNames, PipelineScale, PretrainBudget } from './scale';
export { REPORT_FORMAT } from './report/report-types';
export type { FinetuneSummary, PipelineReport, VersionSummary } from './report/report-types';
export { formatReport } from './report/format-report';
export { verdict } from './report/verdict';
export type { VerdictInput } from './report/verdict';
export { unigramStats } from './stages/unigram';
export type { UnigramStats } from './stages/unigram';
export type { EvalPoint } from './stages/pretrain-run';
export type { ClassifiedText, FillMaskResult, Predictions } from './stages/predict';
export { FILL_MASK_SENTENCE } from './stages/predict';
