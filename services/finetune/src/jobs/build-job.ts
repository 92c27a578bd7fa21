// A new job record from a spec: defaults filled in, every field checked, references resolved and pinned
// (base and dataset), the dataset read and its examples checked, so a job that is queued can run.
import { Code, failedPrecondition, isHeadstartError } from '@headstart/errors';
import { common, finetune, registry } from '@headstart/proto';
import { formatModelKind, type RegistryClient } from '@headstart/registry-client';
import type { DatasetLoader } from '../data/dataset-loader';
import { newFinetuneId } from '../ids';
import { dataSettings, pinned, resolveSpec } from '../spec/resolve-spec';

const { ModelKind } = registry;

export interface BuildJobInput {
  spec: finetune.FinetuneSpec;
  /** The job's id (one bound to an idempotency key). @default a new id */
  id?: string;
  /** The trigger that fired (empty for a manual job). */
  triggerId?: string;
  /** The checkpoint a trigger fired for; manual jobs resolve spec.base_model instead. */
  base?: registry.ModelVersion;
  signal?: AbortSignal;
}

export interface BuildJobDeps {
  client: RegistryClient;
  datasets: DatasetLoader;
  now?: () => Date;
}

const kindName = (kind: registry.ModelKind) => formatModelKind(kind).toUpperCase();

export function resolvedVersion(v: registry.ModelVersion): finetune.ResolvedVersion {
  return { versionId: v.id, modelName: v.modelName, version: v.version };
}

export async function resolveKind(
  client: RegistryClient,
  ref: common.VersionRef,
  kind: registry.ModelKind,
  field: string,
  signal?: AbortSignal,
): Promise<registry.ModelVersion> {
  const version = await client.getVersion(ref, signal ? { signal } : {});
  checkKind(version, kind, field);
  return version;
}

export function checkKind(version: registry.ModelVersion, kind: registry.ModelKind, field: string): void {
  if (version.kind !== kind) {
    throw failedPrecondition(
      `${field} ${version.modelName}:${version.version} is a ${kindName(version.kind)}, not a ${kindName(kind)}`,
      { field },
    );
  }
}

/**
 * Names known to belong to FINETUNED_MODEL models. A model's kind never changes, so a positive answer can
 * be kept (a negative one cannot: the model may be created meanwhile). Saves a registry call per job.
 */
const finetunedNames = new Set<string>();

/** Refuses an output name that already belongs to a model of another kind (the commit would fail). */
export async function checkOutputName(
  client: RegistryClient,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  if (finetunedNames.has(name)) return;
  try {
    const model = await client.getModel(name, signal ? { signal } : {});
    if (model.kind === ModelKind.MODEL_KIND_FINETUNED_MODEL && finetunedNames.size < 10_000)
      finetunedNames.add(name);
    if (model.kind !== ModelKind.MODEL_KIND_FINETUNED_MODEL) {
      throw failedPrecondition(
        `spec.output_model_name ${JSON.stringify(name)} is a ${kindName(model.kind)}`,
        {
          field: 'spec.output_model_name',
        },
      );
    }
  } catch (err) {
    if (!isHeadstartError(err, Code.NOT_FOUND)) throw err;
  }
}

/** Builds a QUEUED job; throws INVALID_ARGUMENT / NOT_FOUND / FAILED_PRECONDITION for a bad spec. */
export async function buildJob(input: BuildJobInput, deps: BuildJobDeps): Promise<finetune.Finetune> {
  const { client, datasets } = deps;
  const signal = input.signal;
  const baseName = input.base?.modelName ?? input.spec.baseModel?.name ?? '';
  const { spec, problems } = resolveSpec(input.spec, { baseName, requireBaseRef: input.base === undefined });
  problems.throwIfAny();
  const base =
    input.base ??
    (await resolveKind(
      client,
      spec.baseModel as common.VersionRef,
      ModelKind.MODEL_KIND_BASE_MODEL,
      'spec.base_model',
      signal,
    ));
  checkKind(base, ModelKind.MODEL_KIND_BASE_MODEL, 'spec.base_model');
  // Independent registry calls, made at once: this runs on the trigger path, where latency counts.
  const [dataset] = await Promise.all([
    resolveKind(
      client,
      spec.dataset as common.VersionRef,
      ModelKind.MODEL_KIND_DATASET,
      'spec.dataset',
      signal,
    ),
    checkOutputName(client, spec.outputModelName, signal),
  ]);
  const examples = await datasets.prepare(dataset, dataSettings(spec), signal);
  const now = deps.now?.() ?? new Date();
  return finetune.Finetune.fromPartial({
    id: input.id ?? newFinetuneId(),
    spec: {
      ...spec,
      baseModel: pinned(base.modelName, base.version),
      dataset: pinned(dataset.modelName, dataset.version),
    },
    state: common.JobState.JOB_STATE_QUEUED,
    triggerId: input.triggerId ?? '',
    baseVersion: resolvedVersion(base),
    datasetVersion: resolvedVersion(dataset),
    createdAt: now,
    updatedAt: now,
    labels: examples.labels,
    trainExamples: examples.train.length,
    devExamples: examples.dev.length,
    testExamples: examples.test.length,
    splitSource: examples.splitSource,
    warnings: examples.warnings,
  });
}

/**
 * The record of a triggered job that cannot run (its spec no longer fits the data or the registry), so
 * the failure is visible instead of retried forever.
 */
export function failedJob(
  spec: finetune.FinetuneSpec,
  triggerId: string,
  base: registry.ModelVersion,
  err: { codeName: string; message: string },
  id = newFinetuneId(),
  now = new Date(),
): finetune.Finetune {
  return finetune.Finetune.fromPartial({
    id,
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

/** Codes that mean "this spec cannot run" rather than "try again later". */
export function isPermanent(err: unknown): boolean {
  return (
    isHeadstartError(err) &&
    [Code.INVALID_ARGUMENT, Code.NOT_FOUND, Code.FAILED_PRECONDITION, Code.OUT_OF_RANGE].includes(err.code)
  );
}
