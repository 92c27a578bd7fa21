// A study's trials as the API reads them back from their jobs: which arm, budget and seed each job is,
// its state and scores, and the same trials as @headstart/study's input.
import { common, finetune } from '@headstart/proto';
import type { Trial } from '@headstart/study';
import { isTerminal } from '@headstart/jobs';
import type { StudyArm } from './study-spec';

const { Method } = finetune;
const { JobState } = common;

export function armOf(job: finetune.Finetune): StudyArm {
  const spec = job.spec;
  if (spec?.method === Method.METHOD_NAIVE_BAYES) return 'naive_bayes';
  if (spec?.method === Method.METHOD_LOGISTIC_REGRESSION) return 'logistic_regression';
  return spec?.fromScratch ? 'scratch' : 'pretrained';
}

/** The proto view of one trial job. */
export function studyTrial(job: finetune.Finetune): finetune.StudyTrial {
  return finetune.StudyTrial.fromPartial({
    arm: armOf(job),
    labelBudget: job.spec?.data?.labelBudget ?? 0,
    budgetExamples: job.trainExamples,
    seed: job.spec?.hyperparameters?.seed ?? 0,
    finetuneId: job.id,
    state: job.state,
    testAccuracy: job.test?.accuracy ?? 0,
    testMacroF1: job.test?.macroF1 ?? 0,
    devAccuracy: job.bestDev?.accuracy ?? 0,
    devMacroF1: job.bestDev?.macroF1 ?? 0,
    steps: job.step,
    error: job.error,
  });
}

export function trialsFinished(jobs: readonly finetune.Finetune[]): number {
  return jobs.filter((j) => isTerminal(j.state)).length;
}

/** The succeeded trials' test scores, in @headstart/study's terms (budget 0 is 'all'). */
export function studyInput(jobs: readonly finetune.Finetune[]): Trial[] {
  return jobs
    .filter((j) => j.state === JobState.JOB_STATE_SUCCEEDED && j.test)
    .map((j) => {
      const t = studyTrial(j);
      const seconds =
        j.startedAt && j.finishedAt ? (j.finishedAt.getTime() - j.startedAt.getTime()) / 1000 : undefined;
      return {
        budget: t.labelBudget === 0 ? 'all' : t.labelBudget,
        budgetExamples: t.budgetExamples,
        seed: t.seed,
        arm: t.arm as StudyArm,
        split: 'test',
        accuracy: t.testAccuracy,
        macroF1: t.testMacroF1,
        ...(t.steps > 0 ? { steps: t.steps } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
      };
    });
}
