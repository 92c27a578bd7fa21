// Triggers that start a study instead of a fine-tune: the study spec is checked when the trigger is
// created (its dataset read, as for a fine-tune trigger), and a firing whose study can no longer run
// leaves a FAILED study record behind.
import { Code, HeadstartError } from '@headstart/errors';
import { common, finetune, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { DatasetLoader } from '../data/dataset-loader';
import { resolvedVersion } from '../jobs/build-job';
import { newStudyId } from '../ids';
import type { Problems } from '../spec/problems';
import { dataSettings, pinned } from '../spec/resolve-spec';
import { budgetsForData, resolveStudySpec } from '../studies/study-spec';

export async function checkStudyTrigger(
  input: finetune.Trigger,
  condition: finetune.TriggerCondition,
  problems: Problems,
  deps: { client: RegistryClient; datasets: DatasetLoader },
  signal?: AbortSignal,
): Promise<finetune.Trigger> {
  const raw = input.study as finetune.StudySpec;
  if (input.spec?.dataset?.name) {
    problems.add('trigger.spec', 'a trigger runs either a fine-tune (spec) or a study (study), not both');
  }
  const { spec, problems: found } = resolveStudySpec(
    { ...raw, baseModel: undefined },
    { baseName: input.baseModelName, requireBaseRef: false },
  );
  for (const p of found.list)
    problems.list.push({
      field: `trigger.study.${p.field.slice(5)}`,
      message: `trigger.study.${p.message.slice(5)}`,
    });
  problems.throwIfAny();
  const dataset = await deps.client.getVersion(spec.dataset!, signal ? { signal } : {});
  if (dataset.kind !== registry.ModelKind.MODEL_KIND_DATASET) {
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `trigger.study.dataset ${dataset.modelName}:${dataset.version} is not a DATASET`,
      { details: { field: 'trigger.study.dataset' } },
    );
  }
  const examples = await deps.datasets.prepare(
    dataset,
    dataSettings(finetune.FinetuneSpec.fromPartial({ data: spec.data ?? {} })),
    signal,
  );
  const dataProblems = found;
  dataProblems.list.length = 0;
  budgetsForData(
    spec,
    raw.labelBudgets.length > 0,
    {
      train: examples.train.length,
      dev: examples.dev.length,
      test: examples.test.length,
      classes: examples.labels.length,
    },
    dataProblems,
  );
  for (const p of dataProblems.list)
    problems.list.push({
      field: `trigger.study.${p.field.slice(5)}`,
      message: `trigger.study.${p.message.slice(5)}`,
    });
  problems.throwIfAny();
  return { ...input, condition, spec: undefined, study: { ...spec, baseModel: undefined } };
}

/** The record of a triggered study that cannot run, so the failure is visible instead of retried. */
export function failedStudy(
  spec: finetune.StudySpec,
  triggerId: string,
  base: registry.ModelVersion,
  err: HeadstartError,
  now = new Date(),
): finetune.Study {
  return finetune.Study.fromPartial({
    id: newStudyId(),
    spec: { ...spec, baseModel: pinned(base.modelName, base.version) },
    state: common.JobState.JOB_STATE_FAILED,
    error: err.message,
    errorCode: err.codeName,
    triggerId,
    baseVersion: resolvedVersion(base),
    createdAt: now,
    updatedAt: now,
    finishedAt: now,
  });
}
