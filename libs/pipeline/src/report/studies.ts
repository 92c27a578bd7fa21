// The studies in the main job's report: each one's verdict and table as the finetune service computed
// them (never rewritten here), where its report files went, and the overall verdict: the primary study's.
import { common } from '@headstart/proto';

import type { StudyOutcome } from '../stages/await-studies';
import { studyResults } from './study-results';
import type { StudyReportSummary } from './report-types';

export function studySummary(outcome: StudyOutcome): StudyReportSummary {
  const s = outcome.study;
  return {
    task: outcome.task,
    studyId: s.id,
    state: common.jobStateToJSON(s.state).replace('JOB_STATE_', ''),
    error: s.error,
    report: s.reportVersion ? `${s.reportVersion.modelName}:${s.reportVersion.version}` : '',
    folder: outcome.folder ?? '',
    files: outcome.files,
    budgets: s.spec?.labelBudgets ?? [],
    seeds: s.spec?.seeds ?? 0,
    trials: s.trialsTotal,
    verdict: s.verdict,
    table: s.table,
    results: studyResults(s),
    seconds: outcome.seconds,
  };
}

/** "<task>: <verdict>" for each study that has one, the primary first; undefined when none has. */
export function studyVerdict(outcomes: readonly StudyOutcome[]): string | undefined {
  const lines = outcomes.filter((o) => o.study.verdict !== '').map((o) => `${o.task}: ${o.study.verdict}`);
  return lines.length > 0 ? lines.join('\n') : undefined;
}
