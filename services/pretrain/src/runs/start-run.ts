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
import type { SpecProblem } from '../spec/field-checks';
import type { RunSource } from '../spec/resolve-run-spec';
import { resolveRunSpec, runSources } from '../spec/resolve-run-spec';
import { SpecialTokensError, resolveSpecialTokens } from '../training/special-tokens';
import { newRunId } from './run-id';
import type { RunStore, StoredRun } from './run-records';

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
  shardsField: string,
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
        `${label(tokenizerLink(base.version), baseShards?.meta.tokenizerSha256)}, but ${shardsField} ` +
        `${shards.version.modelName}:${shards.version.version} were tokenized with ` +
        `${label(tokenizerLink(shards.version), shards.meta.tokenizerSha256)}; tokenize the corpus with the ` +
        "base's tokenizer (ingest StartTokenize) and pass those shards",
      { details: { field: shardsField } },
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

/** A source of the run with what its shards' header says. */
interface InspectedSource extends RunSource {
  shards: InspectedShards;
}

const labelOf = (version: registry.ModelVersion) => `${version.modelName}:${version.version}`;

/** The tokenizer a shards version was made with: its lineage parent, else its digest. */
function tokenizerLabel(shards: InspectedShards): string {
  const link = tokenizerLink(shards.version);
  const sha = shards.meta.tokenizerSha256;
  return link ? `${link.modelName}:${link.version}` : sha ? `sha256 ${sha.slice(0, 12)}…` : 'an unknown one';
}

/**
 * Every source of the run, resolved and pinned. A mixture's sources must be distinct and feed one model:
 * one tokenizer (the same ids mean the same tokens), so one vocabulary and one set of special tokens.
 */
async function inspectSources(spec: pretrain.RunSpec, client: RegistryClient): Promise<InspectedSource[]> {
  const sources: InspectedSource[] = [];
  for (const source of runSources(spec)) {
    sources.push({ ...source, shards: await inspectShards(client, source.ref, source.field) });
  }
  const first = sources[0] as InspectedSource;
  const seen = new Map<string, string>();
  for (const source of sources) {
    const { version, meta } = source.shards;
    const label = `${source.field} ${labelOf(version)}`;
    const earlier = seen.get(version.id);
    if (earlier !== undefined) {
      throw invalid([
        { field: source.field, message: `${label} is already ${earlier}; list each source once` },
      ]);
    }
    seen.set(version.id, source.field);
    if (source === first) continue;
    const against = `${first.field} ${labelOf(first.shards.version)}`;
    const refuse = (why: string) =>
      new HeadstartError(Code.FAILED_PRECONDITION, `${why}; ${MIXTURE_RULE}`, {
        details: { field: source.field },
      });
    if (meta.tokenizerSha256 !== first.shards.meta.tokenizerSha256) {
      throw refuse(
        `${label} was tokenized with ${tokenizerLabel(source.shards)}, but ${against} with ` +
          tokenizerLabel(first.shards),
      );
    }
    if (meta.vocabSize !== first.shards.meta.vocabSize) {
      throw refuse(
        `${label} has a vocabulary of ${meta.vocabSize}, ${against} one of ${first.shards.meta.vocabSize}`,
      );
    }
    const specials = (m: InspectedShards['meta']) => JSON.stringify(Object.entries(m.specialTokens).sort());
    if (specials(meta) !== specials(first.shards.meta)) {
      throw refuse(`${label} has other special tokens than ${against}`);
    }
  }
  return sources;
}

const MIXTURE_RULE =
  "a mixture's sources must share one tokenizer: tokenize every corpus with the same one (ingest StartTokenize)";

/** Validated and resolved run, not yet stored. */
async function prepareRun(
  spec: pretrain.RunSpec,
  client: RegistryClient,
  runId: string,
): Promise<pretrain.Run> {
  const first = resolveRunSpec(spec);
  if (first.problems.length > 0) throw invalid(first.problems);
  const sources = await inspectSources(spec, client);
  const { shards, field } = sources[0] as InspectedSource;
  const continued = spec.continueFrom ? await continuedSpec(spec, shards, field, client) : {};
  const pinned =
    spec.mixture.length > 0
      ? { mixture: sources.map((s) => ({ shards: s.shards.pinned, weight: s.weight })) }
      : { shards: shards.pinned };
  const { problems, resolved } = resolveRunSpec(
    { ...spec, ...continued, ...pinned },
    { vocabSize: shards.meta.vocabSize },
  );
  if (problems.length > 0) throw invalid(problems);
  for (const { shards: source } of sources) {
    const label = `shards ${labelOf(source.version)}`;
    try {
      resolveSpecialTokens(source.meta.specialTokens);
    } catch (err) {
      if (!(err instanceof SpecialTokensError)) throw err;
      throw new HeadstartError(Code.FAILED_PRECONDITION, `${label}: ${err.message}`);
    }
    if (source.meta.splits.validation.tokens < 2) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `${label} have no validation tokens; evaluation needs a validation split`,
      );
    }
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
  await deps.store.create({ job: run });
  await enqueueOrExplain(run.id, deps);
  return run;
}

/** A retried StartRun: the same run, queued again if it is still queued (the queue drops duplicates). */
async function replay(existing: StoredRun, deps: StartRunDeps): Promise<pretrain.Run> {
  if (existing.job.state === common.JobState.JOB_STATE_QUEUED) await enqueueOrExplain(existing.job.id, deps);
  return existing.job;
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
