// StartRun: validate, resolve the shards, record the run as QUEUED, put it on the work queue.
import { createHash } from 'node:crypto';
import { Code, HeadstartError } from '@headstart/errors';
import type { BertConfig } from '@headstart/model';
import { encoderParamSpecs, mlmHeadParamSpecs } from '@headstart/model';
import { common, pretrain, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import { versionRef } from '@headstart/registry-client';
import { inspectBase } from '../registry/inspect-base';
import { tokenizerLink } from '../registry/register-checkpoint';
import type { InspectedShards } from '../registry/inspect-shards';
import { inspectShards } from '../registry/inspect-shards';
import type { RunStore, StoredRun } from '../runs/run-store';
import { newRunId } from '../runs/run-state';
import type { SpecProblem } from '../spec/field-checks';
import { resolveRunSpec } from '../spec/resolve-run-spec';
import { SpecialTokensError, resolveSpecialTokens } from '../training/special-tokens';

export interface StartRunDeps {
  registry: RegistryClient;
  store: RunStore;
  /** Puts the run on the work queue (deduplicated by run id). */
  enqueue(runId: string): Promise<void>;
}

function invalid(problems: SpecProblem[]): HeadstartError {
  return new HeadstartError(Code.INVALID_ARGUMENT, problems.map((p) => p.message).join('; '), {
    details: { field: (problems[0] as SpecProblem).field, fields: problems.map((p) => p.field).join(',') },
  });
}

function parameterCount(config: BertConfig): number {
  return [...encoderParamSpecs(config), ...mlmHeadParamSpecs(config)].reduce(
    (sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1),
    0,
  );
}

/** A model of another kind under the same name would refuse every checkpoint: refuse the run now. */
async function checkModelKind(client: RegistryClient, modelName: string): Promise<void> {
  try {
    const model = await client.getModel(modelName);
    if (model.kind !== registry.ModelKind.MODEL_KIND_BASE_MODEL) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `model_name: ${modelName} is a ${registry.modelKindToJSON(model.kind)} in the registry; ` +
          'checkpoints are BASE_MODEL versions, so choose another name',
        { details: { field: 'model_name' } },
      );
    }
  } catch (err) {
    if (!(err instanceof HeadstartError && err.code === Code.NOT_FOUND)) throw err;
  }
}

/** A ModelConfig field of the spec that the base's architecture overrides (0 and unset are "as the base"). */
const ARCHITECTURE = [
  ['vocab_size', 'vocabSize'],
  ['d_model', 'dModel'],
  ['heads', 'heads'],
  ['layers', 'layers'],
  ['ff', 'ff'],
  ['max_len', 'maxLen'],
] as const;

/**
 * The spec fields a continued run takes from its base: the base's architecture (a differing model field
 * is INVALID_ARGUMENT) and the base pinned to its version; refused unless the shards were tokenized with
 * the base's tokenizer.
 */
async function continuedSpec(
  spec: pretrain.RunSpec,
  shards: InspectedShards,
  client: RegistryClient,
): Promise<Pick<pretrain.RunSpec, 'model' | 'continueFrom'>> {
  const base = await inspectBase(client, spec.continueFrom as common.VersionRef);
  const baseLabel = `${base.version.modelName}:${base.version.version}`;
  const problems: SpecProblem[] = [];
  for (const [name, key] of ARCHITECTURE) {
    const asked = spec.model?.[key] ?? 0;
    if (asked !== 0 && asked !== base.model[key]) {
      problems.push({
        field: `model.${name}`,
        message: `model.${name}: ${asked} differs from ${baseLabel}'s ${base.model[key]}; a continued run keeps its base's architecture (leave model unset)`,
      });
    }
  }
  if (problems.length > 0) throw invalid(problems);
  // The same ids must mean the same tokens: compare the tokenizer digests in the shards' headers (the
  // base's training shards, from its lineage, against the new ones).
  const trainedOn = base.version.parents.find((p) => p.relation === 'trained_on');
  const baseShards =
    trainedOn === undefined || trainedOn.versionId === shards.version.id
      ? trainedOn && shards
      : await inspectShards(client, versionRef(trainedOn.modelName, trainedOn.version));
  if (baseShards?.meta.tokenizerSha256 !== shards.meta.tokenizerSha256) {
    const label = (link: registry.ParentLink | undefined, sha?: string) =>
      link ? `${link.modelName}:${link.version}` : sha ? `sha256 ${sha.slice(0, 12)}…` : 'an unknown one';
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `continue_from ${baseLabel} was trained on ids of tokenizer ` +
        `${label(tokenizerLink(base.version), baseShards?.meta.tokenizerSha256)}, but shards ` +
        `${shards.version.modelName}:${shards.version.version} were tokenized with ` +
        `${label(tokenizerLink(shards.version), shards.meta.tokenizerSha256)}; tokenize the corpus with the ` +
        "base's tokenizer (ingest StartTokenize) and pass those shards",
      { details: { field: 'shards' } },
    );
  }
  const { vocabSize, dModel, heads, layers, ff, maxLen, dropout } = base.model;
  return {
    // Dropout is a training choice, not architecture: a run may set its own (0 reads as "as the base").
    model: pretrain.ModelConfig.fromPartial({
      ...{ vocabSize, dModel, heads, layers, ff, maxLen },
      dropout: spec.model?.dropout || dropout,
    }),
    continueFrom: base.pinned,
  };
}

/** Validated and resolved run, not yet stored. */
async function prepareRun(
  spec: pretrain.RunSpec,
  client: RegistryClient,
  runId: string,
): Promise<pretrain.Run> {
  const first = resolveRunSpec(spec);
  if (first.problems.length > 0) throw invalid(first.problems);
  const shards = await inspectShards(client, spec.shards as common.VersionRef);
  const continued = spec.continueFrom ? await continuedSpec(spec, shards, client) : {};
  const { problems, resolved } = resolveRunSpec(
    { ...spec, ...continued, shards: shards.pinned },
    { vocabSize: shards.meta.vocabSize },
  );
  if (problems.length > 0) throw invalid(problems);
  try {
    resolveSpecialTokens(shards.meta.specialTokens);
  } catch (err) {
    if (!(err instanceof SpecialTokensError)) throw err;
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `shards ${shards.version.modelName}:${shards.version.version}: ${err.message}`,
    );
  }
  if (shards.meta.splits.validation.tokens < 2) {
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `shards ${shards.version.modelName}:${shards.version.version} have no validation tokens; evaluation needs a validation split`,
    );
  }
  await checkModelKind(client, resolved.spec.modelName);
  const now = new Date();
  return pretrain.Run.fromPartial({
    id: runId,
    spec: resolved.spec,
    state: common.JobState.JOB_STATE_QUEUED,
    createdAt: now,
    updatedAt: now,
    totalSteps: resolved.training.totalSteps,
    parameters: parameterCount(resolved.model),
  });
}

export async function startRun(request: pretrain.StartRunRequest, deps: StartRunDeps): Promise<pretrain.Run> {
  if (!request.spec) throw invalid([{ field: 'spec', message: 'spec: is required' }]);
  let runId = newRunId();
  if (request.idempotencyKey) {
    const hash = createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 40);
    runId = await deps.store.claimIdempotencyKey(hash, runId);
    const existing = await deps.store.get(runId);
    if (existing) return replay(existing, deps);
  }
  const run = await prepareRun(request.spec, deps.registry, runId);
  await deps.store.create({ run });
  await enqueueOrExplain(run.id, deps);
  return run;
}

/** A retried StartRun: the same run, queued again if it is still queued (the queue drops duplicates). */
async function replay(existing: StoredRun, deps: StartRunDeps): Promise<pretrain.Run> {
  if (existing.run.state === common.JobState.JOB_STATE_QUEUED) await enqueueOrExplain(existing.run.id, deps);
  return existing.run;
}

async function enqueueOrExplain(runId: string, deps: StartRunDeps): Promise<void> {
  try {
    await deps.enqueue(runId);
  } catch (err) {
    throw new HeadstartError(
      Code.UNAVAILABLE,
      `run ${runId} is recorded but could not be put on the work queue (${String((err as Error)?.message ?? err)}); ` +
        'the service queues it again on its next sweep, or retry with the same idempotency key',
      { cause: err, details: { runId } },
    );
  }
}
