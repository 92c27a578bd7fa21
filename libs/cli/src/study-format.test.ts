import { Code } from '@headstart/errors';
import { common, finetune } from '@headstart/proto';
import {
  armCounts,
  describeStudy,
  describeStudyProgress,
  formatBudget,
  sortTrials,
} from './commands/study-format';
import { requireStudySucceeded } from './commands/study';
import { requireReport } from './commands/study-report';
import { createOutput } from './output';

const { JobState } = common;
const out = createOutput(
  { stdout: { write: () => true }, stderr: { write: () => true }, stderrIsTTY: false },
  false,
);

const trial = (arm: string, state: common.JobState, extra: Partial<finetune.StudyTrial> = {}) =>
  finetune.StudyTrial.fromPartial({ arm, state, labelBudget: 50, budgetExamples: 50, seed: 1, ...extra });

function study(extra: Partial<finetune.Study> = {}): finetune.Study {
  return finetune.Study.fromPartial({
    id: 'st-1',
    state: JobState.JOB_STATE_RUNNING,
    trialsTotal: 4,
    trialsFinished: 2,
    baseVersion: { modelName: 'bert', version: 3 },
    datasetVersion: { modelName: 'spam', version: 1 },
    spec: { labelBudgets: [50, 0], seeds: 2 },
    trials: [
      trial('pretrained', JobState.JOB_STATE_SUCCEEDED, { testAccuracy: 0.912, testMacroF1: 0.9 }),
      trial('scratch', JobState.JOB_STATE_FAILED, { error: 'out of memory' }),
      trial('pretrained', JobState.JOB_STATE_RUNNING, { labelBudget: 0, budgetExamples: 1200, seed: 2 }),
      trial('scratch', JobState.JOB_STATE_QUEUED, { labelBudget: 0, budgetExamples: 1200, seed: 2 }),
    ],
    ...extra,
  });
}

describe('study formatting', () => {
  it('budgets: 0 is all, with the examples it meant once known', () => {
    expect(formatBudget(200)).toBe('200');
    expect(formatBudget(0)).toBe('all');
    expect(formatBudget(0, 1200)).toBe('all (1200)');
  });

  it('progress: trials finished of the total, per arm in the order listed', () => {
    expect(armCounts(study().trials)).toBe('pretrained 1/2, scratch 1/2');
    expect(describeStudyProgress(study())).toBe('running: 2/4 trials (pretrained 1/2, scratch 1/2)');
    expect(describeStudyProgress(study({ trials: [], cancelRequested: true }))).toBe(
      'running: 2/4 trials, cancel requested',
    );
    expect(describeStudyProgress(study({ state: JobState.JOB_STATE_FAILED, error: 'no dev split' }))).toMatch(
      /^failed: 2\/4 trials .*: no dev split$/,
    );
  });

  it('trials read by budget (all last), seed, then arm; arm counts in arm order', () => {
    const shuffled = [
      trial('naive_bayes', JobState.JOB_STATE_SUCCEEDED, { seed: 2 }),
      trial('other', JobState.JOB_STATE_QUEUED, { seed: 1 }),
      trial('scratch', JobState.JOB_STATE_QUEUED, { labelBudget: 0, seed: 1 }),
      trial('logistic_regression', JobState.JOB_STATE_QUEUED, { seed: 1 }),
      trial('pretrained', JobState.JOB_STATE_QUEUED, { seed: 1 }),
      trial('scratch', JobState.JOB_STATE_QUEUED, { labelBudget: 200, seed: 1 }),
    ];
    expect(sortTrials(shuffled).map((t) => `${formatBudget(t.labelBudget)}/${t.seed}/${t.arm}`)).toEqual([
      '50/1/pretrained',
      '50/1/logistic_regression',
      '50/1/other',
      '50/2/naive_bayes',
      '200/1/scratch',
      'all/1/scratch',
    ]);
    expect(armCounts(shuffled)).toBe(
      'pretrained 0/1, scratch 0/2, naive_bayes 1/1, logistic_regression 0/1, other 0/1',
    );
  });

  it('get: the record, the Markdown table as is, then the trials', () => {
    const text = describeStudy(
      out,
      study({
        verdict: '+11.2 points accuracy at 50 labels',
        table: '| budget | pretrained |\n|---|---|\n| 50 | 91.2% |\n',
      }),
    );
    expect(text).toMatch(/^study: +st-1$/m);
    expect(text).toMatch(/^base: +bert:3$/m);
    expect(text).toMatch(/^dataset: +spam:1$/m);
    expect(text).toMatch(/^design: +budgets 50, all; 2 seeds; headline closest to 200$/m);
    expect(text).toMatch(/^verdict: +\+11\.2 points accuracy at 50 labels$/m);
    expect(text).toContain('\n| budget | pretrained |\n|---|---|\n| 50 | 91.2% |\n');
    expect(text).toMatch(/^ARM +BUDGET +SEED +STATE +TEST ACC +MACRO-F1$/m);
    expect(text).toMatch(/^pretrained +50 +1 +succeeded +91\.2% +0\.9000$/m);
    expect(text).toMatch(/^scratch +50 +1 +failed: out of memory +- +-$/m);
    expect(text).toMatch(/^pretrained +all \(1200\) +2 +running +- +-$/m);
  });

  it('a study that did not succeed is the error the command exits with', () => {
    expect(() => requireStudySucceeded(study({ state: JobState.JOB_STATE_SUCCEEDED }))).not.toThrow();
    expect(() => requireStudySucceeded(study({ state: JobState.JOB_STATE_CANCELLED }))).toThrow(
      'study st-1 was cancelled',
    );
    const failed = study({
      state: JobState.JOB_STATE_FAILED,
      error: 'boom',
      errorCode: 'FAILED_PRECONDITION',
    });
    expect(() => requireStudySucceeded(failed)).toThrow(
      expect.objectContaining({ code: Code.FAILED_PRECONDITION }),
    );
  });

  it('only a succeeded study has a report; the refusal names the state', () => {
    expect(() => requireReport(study())).toThrow(
      'study st-1 is running: only a succeeded study has a report',
    );
    const done = study({
      state: JobState.JOB_STATE_SUCCEEDED,
      reportVersion: { modelName: 'r', version: 1, versionId: 'v' },
    });
    expect(requireReport(done)).toMatchObject({ modelName: 'r', version: 1 });
  });
});
