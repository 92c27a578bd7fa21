// study.json: the machine-readable report. The schema is documented in the README ("study.json,
// format version 1"); every object is built here field by field in a fixed order, so the output's
// shape does not depend on how the caller built its objects, and a change to it is a version bump.
import type { MeanInterval, PairedDifference } from '../stats';
import type { ArmSummary, BudgetSummary, PairedComparison, Trial } from '../study-result';
import { studyTitle, type Identity, type Study } from '../study';

export const STUDY_FORMAT = 'headstart.study';
export const STUDY_FORMAT_VERSION = 1;

/** The study as pretty-printed JSON (2-space indent, trailing newline). */
export function renderStudyJson(study: Study): string {
  return `${JSON.stringify(studyDocument(study), null, 2)}\n`;
}

/** The JSON document as a plain object (what renderStudyJson serialises). */
export function studyDocument(study: Study): Record<string, unknown> {
  const { metadata, summary, verdict } = study;
  return {
    format: STUDY_FORMAT,
    formatVersion: STUDY_FORMAT_VERSION,
    title: studyTitle(metadata),
    createdAt: metadata.createdAt ?? null,
    dataset: identity(metadata.dataset),
    base: identity(metadata.base),
    notes: [...(metadata.notes ?? [])],
    metric: summary.metric,
    split: summary.split,
    level: summary.level,
    units: 'points',
    verdict: {
      budget: verdict.budget,
      budgetExamples: verdict.budgetExamples,
      kind: verdict.kind,
      difference: verdict.difference && difference(verdict.difference),
      baseline: verdict.baseline,
      baselineKind: verdict.baselineKind,
      baselineDifference: verdict.baselineDifference && difference(verdict.baselineDifference),
      headline: verdict.headline,
      baselineLine: verdict.baselineLine,
    },
    budgets: summary.budgets.map(budget),
    trials: study.trials.map(trial),
  };
}

function identity(id: Identity): Record<string, unknown> {
  return { name: id.name, version: id.version ?? null, details: { ...(id.details ?? {}) } };
}

function budget(b: BudgetSummary): Record<string, unknown> {
  return {
    budget: b.budget,
    budgetExamples: b.budgetExamples,
    arms: b.arms.map(arm),
    pretrainedVsScratch: b.pretrainedVsScratch && comparison(b.pretrainedVsScratch),
    pretrainedVsBestBaseline: b.pretrainedVsBestBaseline && {
      baseline: b.pretrainedVsBestBaseline.baseline,
      ...comparison(b.pretrainedVsBestBaseline),
    },
  };
}

function arm(a: ArmSummary): Record<string, unknown> {
  return {
    arm: a.arm,
    seeds: [...a.seeds],
    accuracy: interval(a.accuracy),
    macroF1: interval(a.macroF1),
    meanSteps: round(a.meanSteps),
    meanSeconds: round(a.meanSeconds),
  };
}

function comparison(c: PairedComparison): Record<string, unknown> {
  return { seeds: [...c.seeds], accuracy: difference(c.accuracy), macroF1: difference(c.macroF1) };
}

function interval(m: MeanInterval): Record<string, unknown> {
  return {
    n: m.n,
    mean: round(m.mean),
    sd: round(m.sd),
    halfWidth: round(m.halfWidth),
    lower: round(m.lower),
    upper: round(m.upper),
  };
}

function difference(d: PairedDifference): Record<string, unknown> {
  return { ...interval(d), positive: d.positive, negative: d.negative, ties: d.ties };
}

function trial(t: Trial): Record<string, unknown> {
  return {
    budget: t.budget,
    budgetExamples: t.budgetExamples,
    seed: t.seed,
    arm: t.arm,
    split: t.split,
    accuracy: t.accuracy,
    macroF1: t.macroF1,
    steps: t.steps ?? null,
    seconds: t.seconds ?? null,
  };
}

/** Summary numbers to 1e-4 points: far below any meaningful difference, and short to read. */
function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e4) / 1e4;
}
