// The adaptation's part of the main job's report: the studies in the scale's order (the primary first),
// named by the base they studied when there are two; the run; and the paired gain over the general base.
import type { AdaptedBase, AdaptationShards } from '../stages/adaptation';
import type { StudyOutcome } from '../stages/await-studies';
import { label } from '../reuse';
import { PIPELINE_NAMES, type StudyScale, type TaskName } from '../scale';
import { adaptationGain } from './adaptation';
import type { AdaptationGain, AdaptationReport } from './report-types';

/** The outcomes in the order of `scale`; with an adaptation, each task is named with its base. */
export function orderStudies(
  scale: readonly StudyScale[],
  general: readonly StudyOutcome[],
  adapted: readonly StudyOutcome[],
  nameBases: boolean,
): StudyOutcome[] {
  const pools = { general: [...general], adapted: [...adapted] };
  const ordered: StudyOutcome[] = [];
  for (const s of scale) {
    const base = s.base ?? 'general';
    const pool = pools[base];
    const at = pool.findIndex((o) => o.task === PIPELINE_NAMES.tasks[s.task]);
    if (at < 0) continue;
    const [outcome] = pool.splice(at, 1) as [StudyOutcome];
    ordered.push(nameBases ? { ...outcome, task: `${outcome.task}, ${base} base` } : outcome);
  }
  return ordered;
}

/** adapted − general on `task`, from the two studies' trials. */
export function adaptationGains(
  studies: readonly StudyOutcome[],
  adaptedModelName: string,
  task: TaskName,
): AdaptationGain[] {
  const ofTask = studies.filter((o) => o.study.spec?.dataset?.name === PIPELINE_NAMES.tasks[task]);
  const adapted = ofTask.find((o) => o.study.baseVersion?.modelName === adaptedModelName);
  const general = ofTask.find((o) => o.study.baseVersion?.modelName !== adaptedModelName);
  if (!adapted || !general) return [];
  return adaptationGain(adapted.study, general.study);
}

export function adaptationReport(
  task: TaskName,
  text: AdaptationShards,
  adapted: AdaptedBase,
  gains: AdaptationGain[],
): AdaptationReport {
  const run = adapted.run;
  const from = run.spec?.continueFrom;
  return {
    task,
    corpus: label(text.corpus),
    shards: label(text.shards),
    shardsTokens: text.shards.metrics['train_tokens'] ?? 0,
    runId: run.id,
    from: from?.selector?.$case === 'version' ? `${from.name}:${from.selector.version}` : (from?.name ?? ''),
    checkpoint: label(adapted.checkpoint),
    steps: run.step,
    tokens: run.tokensSeen,
    trainingSeconds: run.trainingSeconds,
    finalEvalLoss: run.evalLoss,
    gains,
  };
}
