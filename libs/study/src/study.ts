// A study ready to report: who and what it is about, its trials, their summary and the verdict. Built
// in one call so the verdict always matches the numbers it sits beside.
import { summarizeStudy, type Metric, type Split, type StudySummary, type Trial } from './study-result';
import { computeVerdict, type Verdict, type VerdictOptions } from './verdict';

/** A named, optionally versioned thing (the dataset, the pre-trained base), with free-form details. */
export interface Identity {
  readonly name: string;
  readonly version?: string;
  /** e.g. classes, training examples, pre-training tokens; shown in the report in insertion order. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export interface StudyMetadata {
  /** Default: "Transfer study: <dataset> on <base>". */
  readonly title?: string;
  readonly dataset: Identity;
  readonly base: Identity;
  /** ISO 8601 time the study finished (or the report was made); the caller's clock, not ours. */
  readonly createdAt?: string;
  /** Extra lines for the report, e.g. the fine-tune recipe. */
  readonly notes?: readonly string[];
}

export interface Study {
  readonly metadata: StudyMetadata;
  readonly trials: readonly Trial[];
  readonly summary: StudySummary;
  readonly verdict: Verdict;
}

export interface BuildStudyOptions extends VerdictOptions {
  readonly metadata: StudyMetadata;
  readonly metric: Metric;
  readonly split?: Split;
  readonly level?: number;
}

/** Summarises `trials` and computes the verdict from that summary. */
export function buildStudy(trials: readonly Trial[], options: BuildStudyOptions): Study {
  const summary = summarizeStudy(trials, {
    metric: options.metric,
    split: options.split,
    level: options.level,
  });
  return {
    metadata: options.metadata,
    trials: trials.map((t) => ({ ...t })),
    summary,
    verdict: computeVerdict(summary, { headlineBudget: options.headlineBudget }),
  };
}

/** The report title: the metadata's, or one made from the dataset and base names. */
export function studyTitle(metadata: StudyMetadata): string {
  return metadata.title ?? `Transfer study: ${metadata.dataset.name} on ${metadata.base.name}`;
}
