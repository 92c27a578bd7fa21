// A study's numbers for the main job's report and its console summary: test accuracy per budget and arm
// (mean and 95% half-width over seeds, in points) and the paired differences, computed from the study's
// trials with the same statistics the finetune service uses for its own report.
import { common, type finetune } from '@headstart/proto';
import { summarizeStudy, type Arm, type PairedDifference, type Trial } from '@headstart/study';

import type { StudyBudgetResult } from './report-types';

const ARM_NAMES: ReadonlySet<string> = new Set([
  'pretrained',
  'scratch',
  'naive_bayes',
  'logistic_regression',
]);

/** The succeeded trials' test scores in @headstart/study's terms (budget 0 is 'all'). */
function trialsOf(study: finetune.Study): Trial[] {
  return study.trials
    .filter((t) => t.state === common.JobState.JOB_STATE_SUCCEEDED && ARM_NAMES.has(t.arm))
    .map((t) => ({
      budget: t.labelBudget === 0 ? 'all' : t.labelBudget,
      budgetExamples: t.budgetExamples,
      seed: Number(t.seed),
      arm: t.arm as Arm,
      split: 'test',
      accuracy: t.testAccuracy,
      macroF1: t.testMacroF1,
    }));
}

const interval = (d: PairedDifference) => ({ mean: d.mean, lower: d.lower, upper: d.upper, n: d.n });

export function studyResults(study: finetune.Study): StudyBudgetResult[] {
  const summary = summarizeStudy(trialsOf(study), { metric: 'accuracy' });
  return summary.budgets.map((b) => ({
    budget: b.budget === 'all' ? 0 : b.budget,
    budgetExamples: b.budgetExamples,
    arms: Object.fromEntries(
      b.arms.map((a) => [
        a.arm,
        { n: a.accuracy.n, accuracy: a.accuracy.mean, halfWidth: a.accuracy.halfWidth },
      ]),
    ),
    vsScratch: b.pretrainedVsScratch ? interval(b.pretrainedVsScratch.accuracy) : null,
    vsBestBaseline: b.pretrainedVsBestBaseline
      ? { baseline: b.pretrainedVsBestBaseline.baseline, ...interval(b.pretrainedVsBestBaseline.accuracy) }
      : null,
  }));
}
