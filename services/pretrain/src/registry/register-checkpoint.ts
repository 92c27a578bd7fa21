// A checkpoint becomes a BASE_MODEL version: lineage to the shards (trained_on, one per source of a mixed
// run), the tokenizer (tokenized_with) and, for the first checkpoint after a resume, the checkpoint it resumed from
// (resumed_from); metrics; run metadata; aliases moved in the same commit. The idempotency key
// <runId>:<step> makes a retry — or a worker that died after uploading and was replaced — return the
// version already committed instead of a duplicate.
import { Code, HeadstartError } from '@headstart/errors';
import type { common, registry } from '@headstart/proto';
import type { ParentInput, RegistryClient } from '@headstart/registry-client';
import { formatVersionRef, versionRef } from '@headstart/registry-client';
import type { CheckpointState } from '@headstart/checkpoint';

export const LATEST_CHECKPOINT_ALIAS = 'latest-checkpoint';
export const BEST_CHECKPOINT_ALIAS = 'best';

/** Where a run's checkpoints go and what they descend from. */
export interface CheckpointTarget {
  runId: string;
  modelName: string;
  description: string;
  tags: string[];
  finalAlias: string;
  /** The run's sources (one, or a mixture's), pinned, in the order of its spec. */
  shards: common.VersionRef[];
  /** The sources' tokenizers named by their lineage (one for a valid run; deduplicated). */
  tokenizers: common.VersionRef[];
  /** The base the run continued from (its `continue_from`), recorded as `continued_from`. */
  continuedFrom?: common.VersionRef | undefined;
}

export interface RegisterCheckpointInput {
  target: CheckpointTarget;
  /** The bundle file. */
  path: string;
  state: CheckpointState;
  /** This checkpoint is the best evaluated one so far. */
  best: boolean;
  /** Version this attempt resumed from, for its first checkpoint. */
  resumedFrom?: number;
}

export function checkpointIdempotencyKey(runId: string, step: number): string {
  return `${runId}:${step}`;
}

export function checkpointParents(target: CheckpointTarget, resumedFrom?: number): ParentInput[] {
  const parents: ParentInput[] = target.shards.map((ref) => ({ ref, relation: 'trained_on' }));
  for (const ref of target.tokenizers) parents.push({ ref, relation: 'tokenized_with' });
  if (target.continuedFrom) parents.push({ ref: target.continuedFrom, relation: 'continued_from' });
  if (resumedFrom !== undefined)
    parents.push({ ref: versionRef(target.modelName, resumedFrom), relation: 'resumed_from' });
  return parents;
}

export async function registerCheckpoint(
  client: RegistryClient,
  input: RegisterCheckpointInput,
): Promise<registry.ModelVersion> {
  const { target, state } = input;
  const metrics: Record<string, number> = { loss: state.loss, tokens: state.tokensSeen, step: state.step };
  if (state.lastEval?.step === state.step) {
    metrics.eval_loss = state.lastEval.loss;
    metrics.perplexity = state.lastEval.perplexity;
  }
  const aliases = [LATEST_CHECKPOINT_ALIAS];
  if (input.best) aliases.push(BEST_CHECKPOINT_ALIAS);
  if (state.final) aliases.push(target.finalAlias);
  return (
    await client.createVersion(
      {
        modelName: target.modelName,
        kind: 'BASE_MODEL',
        modelDescription: target.description || `Masked-LM pre-trained encoder (run ${target.runId})`,
        description: `${target.description ? `${target.description}; ` : ''}${progressPhrase(state)}`,
        metadata: {
          run_id: target.runId,
          step: String(state.step),
          total_steps: String(state.totalSteps),
          tokens_seen: String(state.tokensSeen),
          training_seconds: String(Math.round((state.trainingMs ?? 0) / 1000)),
          final: String(state.final),
          format: `${state.format}/v${state.formatVersion}`,
          backend: state.backend,
          ...(state.sourceTokens
            ? { source_tokens: sourceTokensJson(target.shards, state.sourceTokens) }
            : {}),
        },
        metrics,
        parents: checkpointParents(target, input.resumedFrom),
        tags: target.tags,
        runId: target.runId,
        aliases,
        idempotencyKey: checkpointIdempotencyKey(target.runId, state.step),
      },
      input.path,
    )
  ).version;
}

/** The newest checkpoint of `runId` registered under `modelName`, by step. */
export async function latestRegisteredCheckpoint(
  client: RegistryClient,
  modelName: string,
  runId: string,
): Promise<registry.ModelVersion | undefined> {
  let latest: registry.ModelVersion | undefined;
  try {
    for await (const version of client.searchVersions({ modelName, runId })) {
      const step = Number(version.metadata.step);
      if (Number.isSafeInteger(step) && (!latest || step > Number(latest.metadata.step))) latest = version;
    }
  } catch (err) {
    // No model of that name yet: the run has registered nothing.
    if (!(err instanceof HeadstartError && err.code === Code.NOT_FOUND)) throw err;
  }
  return latest;
}

/** A mixed run's tokens per source as JSON, e.g. {"general-shards:1":3072,"domain-shards:2":1024}. */
export function sourceTokensJson(sources: readonly common.VersionRef[], tokens: readonly number[]): string {
  return JSON.stringify(Object.fromEntries(sources.map((ref, i) => [formatVersionRef(ref), tokens[i] ?? 0])));
}

/** The version's `tokenized_with` parent link (its id, name and version). */
export function tokenizerLink(version: registry.ModelVersion): registry.ParentLink | undefined {
  return version.parents.find((p) => p.relation === 'tokenized_with');
}

/** The shards version's tokenizer parent (relation tokenized_with), pinned to its number. */
export function tokenizerOf(shards: registry.ModelVersion): common.VersionRef | undefined {
  const link = tokenizerLink(shards);
  return link ? versionRef(link.modelName, link.version) : undefined;
}

/** The distinct tokenizers of several shards versions (a mixture's: one when they agree). */
export function tokenizersOf(shards: readonly registry.ModelVersion[]): common.VersionRef[] {
  const byLabel = new Map<string, common.VersionRef>();
  for (const version of shards) {
    const ref = tokenizerOf(version);
    if (ref) byLabel.set(formatVersionRef(ref), ref);
  }
  return [...byLabel.values()];
}

/** "step 2817 of 5000", or for a run with a time budget "step 2817, 598 s of a 600-s budget". */
function progressPhrase(state: CheckpointState): string {
  const budgetMs = state.training.timeBudgetMs ?? 0;
  if (budgetMs <= 0) return `step ${state.step} of ${state.totalSteps}`;
  const seconds = Math.round((state.trainingMs ?? 0) / 1000);
  return `step ${state.step}, ${seconds} s of a ${Math.round(budgetMs / 1000)}-s budget`;
}
