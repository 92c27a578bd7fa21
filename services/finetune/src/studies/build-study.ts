// A new study record and its trial jobs from a spec: defaults filled in, every field checked, base and
// dataset resolved and pinned, the dataset read (splits and budgets checked), and one QUEUED job per
// trial, each a complete fine-tune (or baseline) spec with evaluation_only set.
import { common, finetune, registry } from '@headstart/proto';
import type { DatasetLoader } from '../data/dataset-loader';
import { checkKind, resolveKind, resolvedVersion } from '../jobs/build-job';
import type { RegistryClient } from '@headstart/registry-client';
import { newFinetuneId, newStudyId } from '../ids';
import { dataSettings, pinned, resolveSpec } from '../spec/resolve-spec';
import {
  armsOf,
  budgetsForData,
  headlineBudget,
  planTrials,
  resolveStudySpec,
  type PlannedTrial,
} from './study-spec';

const { ModelKind, Method } = { ...registry, ...finetune };

export interface BuildStudyInput {
  spec: finetune.StudySpec;
  triggerId?: string;
  /** The checkpoint a trigger fired for; manual studies resolve spec.base_model instead. */
  base?: registry.ModelVersion;
  signal?: AbortSignal;
}

export interface BuildStudyDeps {
  client: RegistryClient;
  datasets: DatasetLoader;
  now?: () => Date;
}

const METHODS: Record<PlannedTrial['arm'], finetune.Method> = {
  pretrained: Method.METHOD_UNSPECIFIED,
  scratch: Method.METHOD_UNSPECIFIED,
  naive_bayes: Method.METHOD_NAIVE_BAYES,
  logistic_regression: Method.METHOD_LOGISTIC_REGRESSION,
};

/** Builds a QUEUED study; throws INVALID_ARGUMENT / NOT_FOUND / FAILED_PRECONDITION for a bad spec. */
export async function buildStudy(input: BuildStudyInput, deps: BuildStudyDeps): Promise<finetune.Study> {
  const { client, datasets } = deps;
  const { signal } = input;
  const baseName = input.base?.modelName ?? input.spec.baseModel?.name ?? '';
  const resolved = resolveStudySpec(input.spec, { baseName, requireBaseRef: input.base === undefined });
  resolved.problems.throwIfAny();
  const spec = resolved.spec;
  const base =
    input.base ??
    (await resolveKind(client, spec.baseModel!, ModelKind.MODEL_KIND_BASE_MODEL, 'spec.base_model', signal));
  checkKind(base, ModelKind.MODEL_KIND_BASE_MODEL, 'spec.base_model');
  const dataset = await resolveKind(
    client,
    spec.dataset!,
    ModelKind.MODEL_KIND_DATASET,
    'spec.dataset',
    signal,
  );
  const examples = await datasets.prepare(dataset, dataSettingsOf(spec), signal);
  const counts = { train: examples.train.length, dev: examples.dev.length, test: examples.test.length };
  const budgets = budgetsForData(
    spec,
    input.spec.labelBudgets.length > 0,
    { ...counts, classes: examples.labels.length },
    resolved.problems,
  );
  resolved.problems.throwIfAny();
  const now = deps.now?.() ?? new Date();
  return finetune.Study.fromPartial({
    id: newStudyId(),
    spec: {
      ...spec,
      baseModel: pinned(base.modelName, base.version),
      dataset: pinned(dataset.modelName, dataset.version),
      labelBudgets: budgets,
      headlineBudget: headlineBudget(budgets, spec.headlineBudget, counts.train),
    },
    state: common.JobState.JOB_STATE_QUEUED,
    baseVersion: resolvedVersion(base),
    datasetVersion: resolvedVersion(dataset),
    triggerId: input.triggerId ?? '',
    createdAt: now,
    updatedAt: now,
    labels: examples.labels,
    trainExamples: counts.train,
    devExamples: counts.dev,
    testExamples: counts.test,
    warnings: examples.warnings,
  });
}

/** The dataset options of a study as a fine-tune reads them (every training example). */
function dataSettingsOf(spec: finetune.StudySpec) {
  return dataSettings(finetune.FinetuneSpec.fromPartial({ data: spec.data ?? {} }));
}

/** The idempotency key of a trial's job: one job per (study, arm, budget, seed), whatever restarts. */
export function trialKey(studyId: string, t: PlannedTrial): string {
  return `${studyId}/${t.arm}/${t.labelBudget}/${t.seed}`;
}

/** Every trial of `study`, each a QUEUED job record. Deterministic in the study record (ids aside). */
export function trialJobs(
  study: finetune.Study,
  now = new Date(),
): { key: string; job: finetune.Finetune }[] {
  const spec = study.spec as finetune.StudySpec;
  const plan = planTrials(spec.labelBudgets, spec.seeds ?? 0, study.trainExamples, armsOf(spec));
  return plan.map((t) => {
    const scratch = t.arm === 'scratch';
    const { spec: jobSpec } = resolveSpec(
      finetune.FinetuneSpec.fromPartial({
        baseModel: spec.baseModel,
        dataset: spec.dataset,
        outputModelName: `${spec.reportModelName}-${t.arm.replace(/_/g, '-')}`.slice(0, 128),
        fromScratch: scratch,
        hyperparameters: {
          ...((scratch ? spec.scratchHyperparameters : spec.pretrainedHyperparameters) ?? {}),
          seed: t.seed,
        },
        data: { ...spec.data, labelBudget: t.labelBudget, budgetSeed: t.seed },
        description: `trial of study ${study.id}: ${t.arm}, ${t.budgetExamples} labels, seed ${t.seed}`,
        evaluationOnly: true,
        method: METHODS[t.arm],
      }),
      { baseName: study.baseVersion?.modelName ?? '', requireBaseRef: true },
    );
    const job = finetune.Finetune.fromPartial({
      id: newFinetuneId(),
      spec: jobSpec,
      state: common.JobState.JOB_STATE_QUEUED,
      studyId: study.id,
      baseVersion: study.baseVersion,
      datasetVersion: study.datasetVersion,
      createdAt: now,
      updatedAt: now,
      labels: study.labels,
      trainExamples: t.budgetExamples,
      devExamples: study.devExamples,
      testExamples: study.testExamples,
    });
    return { key: trialKey(study.id, t), job };
  });
}
