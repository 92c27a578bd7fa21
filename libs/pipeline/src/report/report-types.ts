// The main job's report: what the JSON under HEADSTART_HOME/reports holds.
import type { UnigramStats } from '../stages/unigram';
import type { EvalPoint } from '../stages/pretrain-run';
import type { Predictions } from '../stages/predict';
import type { PipelineScale } from '../scale';
import type { PairedDifference } from '@headstart/study';

export const REPORT_FORMAT = 'headstart.pipeline-report/v1';

export interface VersionSummary {
  ref: string;
  id: string;
  kind: string;
  sizeBytes: number;
  createdAt: string;
  parents: string[];
}

export interface FinetuneSummary {
  jobId: string;
  triggerId: string;
  /** The FINETUNED_MODEL version registered. */
  model: string;
  base: string;
  fromScratch: boolean;
  trainExamples: number;
  devExamples: number;
  testExamples: number;
  steps: number;
  stoppedEarly: boolean;
  testAccuracy: number;
  testMacroF1: number;
  testLoss: number;
  perClass: Array<{ label: string; precision: number; recall: number; f1: number; support: number }>;
  /** Share of the test split in its largest class: what always answering that class scores. */
  majorityAccuracy: number;
  /** Jobs the trigger created for the final checkpoint (the promise: exactly one). */
  jobsForCheckpoint: number;
  triggerFiredCount: number;
  /** Checkpoint committed → job created. */
  triggerLatencySeconds: number;
  /** Job created → finished. */
  seconds: number;
}

/** A paired difference in points: mean and its 95% interval (null bounds: one pair). */
export interface PointsDifference {
  mean: number;
  lower: number | null;
  upper: number | null;
  n: number;
}

/** A study's test accuracy at one budget (points): each arm's mean and 95% half-width, and the differences. */
export interface StudyBudgetResult {
  /** 0: every training example. */
  budget: number;
  budgetExamples: number;
  arms: Record<string, { n: number; accuracy: number; halfWidth: number | null }>;
  vsScratch: PointsDifference | null;
  vsBestBaseline: (PointsDifference & { baseline: string }) | null;
}

/** One transfer study the final checkpoint started. */
export interface StudyReportSummary {
  task: string;
  studyId: string;
  /** SUCCEEDED, FAILED or CANCELLED. */
  state: string;
  error: string;
  /** The REPORT version (`name:version`), empty unless it succeeded. */
  report: string;
  /** Where its files (study.json, report.md, SVG figures) were written. */
  folder: string;
  files: string[];
  budgets: number[];
  seeds: number;
  trials: number;
  /** Computed by the finetune service from the paired differences. */
  verdict: string;
  /** Its Markdown results and paired-difference tables. */
  table: string;
  /** The same numbers, test accuracy per budget. */
  results: StudyBudgetResult[];
  /** Checkpoint committed → study finished. */
  seconds: number;
}

/** The adapted base's fine-tunes minus the general base's, paired by seed at one budget (points). */
export interface AdaptationGain {
  /** Labels (0: every training example). */
  budget: number;
  seeds: number[];
  accuracy: PairedDifference;
  macroF1: PairedDifference;
}

/** Task-adaptive pre-training: the run the general base's final checkpoint started, and what it bought. */
export interface AdaptationReport {
  task: string;
  /** The task-text corpus and its shards. */
  corpus: string;
  shards: string;
  shardsTokens: number;
  runId: string;
  from: string;
  checkpoint: string;
  steps: number;
  tokens: number;
  trainingSeconds: number;
  /** Masked-LM loss on the task text's own validation split at the end of the run. */
  finalEvalLoss: number;
  gains: AdaptationGain[];
}

export interface PipelineReport {
  format: typeof REPORT_FORMAT;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  stages: Array<{ stage: string; seconds: number }>;
  home: string;
  backend: { name: string; kind: string; threads: number };
  scale: PipelineScale;
  data: { corpusFile: string; taskFile: string; subset: boolean };
  corpus: {
    version: string;
    documents: number;
    trainDocuments: number;
    validationDocuments: number;
    bytes: number;
  };
  tokenizer: { version: string; vocabSize: number };
  shards: { version: string; trainTokens: number; validationTokens: number };
  reused: string[];
  pretrain: {
    runId: string;
    origin: 'new' | 'earlier';
    finalCheckpoint: string;
    steps: number;
    tokens: number;
    parameters: number;
    backend: string;
    /** Start to end of the run; a resumed run includes the pause between attempts. */
    trainingSeconds: number;
    tokensPerSecond: number;
    plan: { totalSteps: number; budget: string; measuredStepMs?: number | undefined };
    finalEvalLoss: number;
    finalPerplexity: number;
    bestEvalLoss: number;
    unigram: UnigramStats;
    curve: EvalPoint[];
  };
  finetune: {
    labelBudget: number;
    pretrained: FinetuneSummary;
    scratch: FinetuneSummary;
    /** pre-trained minus from-scratch. */
    delta: { accuracy: number; macroF1: number };
  };
  predictions: Predictions;
  studies: StudyReportSummary[];
  /** Absent when the scale adapts nothing. */
  adaptation?: AdaptationReport | undefined;
  lineage: { tree: string[]; chain: string[] };
  versions: VersionSummary[];
  verdict: string;
}
