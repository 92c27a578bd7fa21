export { runCli } from './program';
export type { CliDependencies } from './program';
export { createOutput } from './output';
export type { CliStreams, Output, Writer } from './output';
export { formatFields, formatTable } from './table';
export type { Column } from './table';
export { ExitCode, exitCodeFor, describeError } from './exit-codes';
export { renderLineage, renderTree } from './lineage-tree';
export { aliasHistory, deleteAlias, setAlias } from './commands/alias';
export type { DeleteAliasOptions, SetAliasOptions } from './commands/alias';
export { download, defaultFileName } from './commands/download';
export type { DownloadOptions } from './commands/download';
export { getVersion, describeVersion } from './commands/get';
export { showLineage } from './commands/lineage';
export type { LineageOptions } from './commands/lineage';
export { listModels } from './commands/models';
export type { ListModelsOptions } from './commands/models';
export { removeVersion } from './commands/rm';
export { changeTags, tagTarget } from './commands/tags';
export { upload, uploadMetadata } from './commands/upload';
export type { UploadOptions } from './commands/upload';
export { listVersions } from './commands/versions';
export type { ListVersionsOptions } from './commands/versions';
export { addIngestCommands } from './ingest-commands';
export type { IngestAction } from './ingest-commands';
export { uploadCorpus } from './commands/corpus';
export type { CorpusUploadOptions } from './commands/corpus';
export { tokenize, trainTokenizer } from './commands/tokenizer';
export type { TokenizeOptions, TrainTokenizerOptions } from './commands/tokenizer';
export { cancelJob, describeJob, followJob, getJob, jobKindName, listJobs, watchJob } from './commands/jobs';
export type { ListJobsOptions } from './commands/jobs';
export { createJobProgressReporter, describeProgress, formatDuration } from './job-progress';
export type { JobProgressReporter } from './job-progress';
export { addFinetuneCommands } from './finetune-commands';
export type { FinetuneAction } from './finetune-commands';
export {
  cancelFinetune,
  describeFinetune,
  describeFinetuneProgress,
  followFinetune,
  getFinetune,
  listFinetunes,
  requireFinetuneSucceeded,
  startFinetune,
} from './commands/finetune';
export type { ListFinetunesOptions, StartFinetuneOptions } from './commands/finetune';
export { createTrigger, deleteTrigger, listTriggers, parseOn } from './commands/triggers';
export type { CreateTriggerOptions } from './commands/triggers';
export { classifyTexts, fillMask } from './commands/predict';
export { addSpecOptions, toSpecInput } from './commands/finetune-spec-options';
export type { SpecOptions } from './commands/finetune-spec-options';
export { addStudyCommands } from './study-commands';
export type { StudyReportAction } from './study-commands';
export {
  cancelStudy,
  followStudy,
  getStudy,
  listStudies,
  requireStudySucceeded,
  startStudy,
} from './commands/study';
export type { ListStudiesOptions } from './commands/study';
export { parseBudgets, toStudySpecInput } from './commands/study-options';
export type { StartStudyOptions } from './commands/study-options';
export {
  armCounts,
  describeStudy,
  describeStudyProgress,
  formatBudget,
  sortTrials,
  trialsTable,
} from './commands/study-format';
export { requireReport, studyReport, writeReportFiles } from './commands/study-report';
export type { StudyReportOptions } from './commands/study-report';
export { readTarFiles, safeEntryPath } from './tar-reader';
export type { TarFile } from './tar-reader';
export { addPretrainCommands } from './pretrain-commands';
export type { PretrainAction } from './pretrain-commands';
export {
  cancelPretrainRun,
  formatEta,
  getPretrainRun,
  listPretrainRuns,
  progressLine,
  startPretrainRun,
  startRunRequest,
  watchPretrainRun,
} from './commands/pretrain';
export type { ListRunsOptions, StartRunOptions } from './commands/pretrain';
