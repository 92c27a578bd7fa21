// @headstart/study: the computation and reporting core of a transfer study. Bag-of-words baselines,
// metrics, t-intervals and paired differences, the study summary and its verdict, and the report files.
export { tokenizeWords } from './baselines/tokenize';
export { buildVocabulary, countVectors } from './baselines/vectorize';
export type { SparseRows, Vocabulary } from './baselines/vectorize';
export type { BaselineInput, BaselineModel, GridScore, LabelledTexts, Selection } from './baselines/types';
export { NAIVE_BAYES_ALPHA_GRID, NAIVE_BAYES_DEFAULT_ALPHA, trainNaiveBayes } from './baselines/naive-bayes';
export type { NaiveBayesInput, NaiveBayesModel, NaiveBayesSettings } from './baselines/naive-bayes';
export {
  LOGISTIC_REGRESSION_C_GRID,
  LOGISTIC_REGRESSION_DEFAULT_C,
  trainLogisticRegression,
} from './baselines/logistic-regression';
export type {
  LogisticRegressionInput,
  LogisticRegressionModel,
  LogisticRegressionSettings,
} from './baselines/logistic-regression';
export { accuracy, classificationScores, macroF1, perClassF1 } from './metrics';
export type { ClassificationScores, Labels } from './metrics';
export { mean, meanConfidenceInterval, pairedDifference, sampleStd } from './stats';
export type { MeanInterval, PairedDifference } from './stats';
export { normalQuantile, studentTQuantile } from './student-t';
export { ARMS, BASELINE_ARMS, checkTrial, compareBudgets, summarizeStudy } from './study-result';
export type {
  Arm,
  ArmSummary,
  BaselineArm,
  BaselineComparison,
  Budget,
  BudgetSummary,
  Metric,
  PairedComparison,
  Split,
  StudySummary,
  SummarizeOptions,
  Trial,
} from './study-result';
export { TrialLog } from './trial-log';
export { classify, computeVerdict, defaultHeadlineBudget } from './verdict';
export type { Verdict, VerdictKind, VerdictOptions } from './verdict';
export { buildStudy, studyTitle } from './study';
export type { BuildStudyOptions, Identity, Study, StudyMetadata } from './study';
export { STUDY_FORMAT, STUDY_FORMAT_VERSION, renderStudyJson, studyDocument } from './report/json';
export { escapeMarkdown, renderReportMarkdown } from './report/markdown';
export { ARM_STYLE, CURVE_FILES, renderCurveFigure } from './report/figures';
export { DIFFERENCE_FILE, renderDifferenceFigure } from './report/difference-figure';
export { escapeXml } from './report/svg';
export {
  REPORT_MARKDOWN_FILE,
  STUDY_JSON_FILE,
  renderReportFiles,
  writeReportFolder,
} from './report/write-folder';
