// A fine-tune job's result in the registry: found again (an earlier delivery registered it) or registered
// now as a FINETUNED_MODEL version with its lineage. The job id is both the version's run id and its
// idempotency key, so a redelivered job never registers twice.
import { finetune, registry } from '@headstart/proto';
import type { RegistryClient, UploadMetadata } from '@headstart/registry-client';
import { resolvedVersion } from '../jobs/build-job';
import type { BaseCheckpoint } from '../models/base-checkpoint';
import { pinned } from '../spec/resolve-spec';
import type { JobResults, RunJobContext } from './run-job';

/** The scores of a finished job (what its record and the version's metadata keep). */
export interface JobScores {
  metrics: { [key: string]: number };
  bestDev: finetune.Evaluation | undefined;
  test: finetune.Evaluation;
  step: number;
  stoppedEarly: boolean;
}

/** What the registered version says about the job besides its scores. */
export interface ResultFacts {
  baseVersion: registry.ModelVersion;
  datasetVersion: registry.ModelVersion;
  base: BaseCheckpoint;
  labels: readonly string[];
  maxLength: number;
  trainExamples: number;
}

/** The outcome of an earlier delivery that got as far as registering, or undefined. */
export async function existingResult(ctx: RunJobContext): Promise<JobResults | undefined> {
  const page = await ctx.client.searchVersionsPage(
    { runId: ctx.job.id, kind: 'FINETUNED_MODEL' },
    { pageSize: 1 },
    { signal: ctx.signal },
  );
  const version = page.versions[0];
  if (!version) return undefined;
  ctx.logger.info(
    { finetune: ctx.job.id, version: version.id },
    'result already registered by an earlier delivery',
  );
  const saved = version.metadata['evaluation'];
  const evaluation = saved ? (JSON.parse(saved) as { test?: unknown; bestDev?: unknown }) : {};
  return {
    resultVersion: resolvedVersion(version),
    metrics: version.metrics,
    bestDev: evaluation.bestDev ? finetune.Evaluation.fromJSON(evaluation.bestDev) : undefined,
    test: evaluation.test ? finetune.Evaluation.fromJSON(evaluation.test) : undefined,
    step: Number(version.metadata['steps'] ?? 0),
    stoppedEarly: version.metadata['stopped_early'] === 'true',
  };
}

/** Registers the packed model as a FINETUNED_MODEL version (idempotent per job). */
export async function registerResult(
  client: RegistryClient,
  job: finetune.Finetune,
  facts: ResultFacts,
  scores: JobScores,
  bundle: Buffer,
  signal: AbortSignal,
): Promise<registry.ModelVersion> {
  const { version } = await client.createVersion(resultMetadata(job, facts, scores), bundle, { signal });
  return version;
}

function resultMetadata(job: finetune.Finetune, facts: ResultFacts, scores: JobScores): UploadMetadata {
  const spec = job.spec as finetune.FinetuneSpec;
  const { baseVersion, datasetVersion, base } = facts;
  return {
    modelName: spec.outputModelName,
    kind: registry.ModelKind.MODEL_KIND_FINETUNED_MODEL,
    modelDescription: `Classifier fine-tuned from ${baseVersion.modelName} on ${datasetVersion.modelName}`,
    description:
      spec.description ||
      `${spec.fromScratch ? 'Control run (random init, same architecture)' : 'Fine-tuned'}: ` +
        `${baseVersion.modelName}:${baseVersion.version} on ${datasetVersion.modelName}:${datasetVersion.version}`,
    parents: [
      {
        ref: pinned(baseVersion.modelName, baseVersion.version),
        relation: spec.fromScratch ? 'architecture_from' : 'finetuned_from',
      },
      { ref: pinned(datasetVersion.modelName, datasetVersion.version), relation: 'trained_on' },
      {
        ref: pinned(base.tokenizerVersion.modelName, base.tokenizerVersion.version),
        relation: 'tokenized_with',
      },
    ],
    metadata: {
      format: 'headstart-finetuned-tar',
      finetune_id: job.id,
      trigger_id: job.triggerId,
      from_scratch: String(spec.fromScratch),
      labels: JSON.stringify(facts.labels),
      max_length: String(facts.maxLength),
      steps: String(scores.step),
      stopped_early: String(scores.stoppedEarly),
      train_examples: String(facts.trainExamples),
      label_budget: String(spec.data?.labelBudget ?? 0),
      evaluation: JSON.stringify({
        test: finetune.Evaluation.toJSON(scores.test),
        ...(scores.bestDev ? { bestDev: finetune.Evaluation.toJSON(scores.bestDev) } : {}),
      }),
    },
    metrics: scores.metrics,
    tags: spec.tags,
    aliases: spec.aliases,
    runId: job.id,
    idempotencyKey: job.id,
  };
}
