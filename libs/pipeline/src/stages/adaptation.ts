// Stages 4c and 7b: task-adaptive pre-training through the life cycle. Before pre-training, the task's
// training texts (no labels, no dev or test text) become a corpus in ingest, tokenized with the general
// base's tokenizer, and a trigger on the base's FINAL checkpoint is set to continue pre-training it on
// them. After pre-training, the pipeline only follows what the event started: the adaptation run, then
// the adapted base's final checkpoint (whose own event starts the adapted base's studies).
import { Code, HeadstartError } from '@headstart/errors';
import type { FinetuneClient } from '@headstart/finetune-client';
import type { IngestClient } from '@headstart/ingest-client';
import type { PretrainClient } from '@headstart/pretrain-client';
import { common, finetune, pretrain, type registry } from '@headstart/proto';
import { versionRef, type RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';

import { findTagged, inputsTag, label } from '../reuse';
import type { AdaptationScale, PipelineScale } from '../scale';
import { awaitIngestJob } from './ingest-corpus';
import { silentReporter, type Reporter } from '../reporter/reporter';
import { pollUntilFound } from './poll';

const PREFIX = 'headstart main job adaptation';
const pinned = (v: Pick<registry.ModelVersion, 'modelName' | 'version'>) =>
  versionRef(v.modelName, v.version);

export interface AdaptationShards {
  corpus: registry.ModelVersion;
  shards: registry.ModelVersion;
  /** Which of the two an earlier run had made. */
  reused: { corpus: boolean; shards: boolean };
}

/** The task's training texts as a corpus (ingest reuses an identical one), tokenized like the base. */
export async function prepareAdaptationShards(
  clients: { registry: RegistryClient; ingest: IngestClient },
  input: { task: registry.ModelVersion; tokenizer: registry.ModelVersion; signal?: AbortSignal | undefined },
  logger: Logger,
  reporter: Reporter = silentReporter,
): Promise<AdaptationShards> {
  const { task, tokenizer, signal } = input;
  const options = signal ? { signal } : {};
  const { version: created, deduplicated } = await clients.ingest.createCorpusFromDataset(
    {
      dataset: pinned(task),
      corpusName: `${task.modelName}-text`,
      splits: ['train'],
      description: `The training texts of ${label(task)} without their labels, for task-adaptive pre-training`,
      tags: ['pipeline'],
    },
    options,
  );
  if (!created) throw new HeadstartError(Code.INTERNAL, 'CreateCorpusFromDataset answered without a version');
  const corpus = created;
  logger.info(
    { version: label(corpus), documents: corpus.metrics['documents'] },
    deduplicated ? 'adaptation: reusing the task-text corpus' : 'adaptation: task-text corpus registered',
  );
  const shardsName = `${task.modelName}-text-shards`;
  const tag = inputsTag('adaptation-shards', { corpus: corpus.id, tokenizer: tokenizer.id });
  const found = await findTagged(clients.registry, shardsName, tag);
  if (found) {
    logger.info({ version: label(found) }, 'adaptation: reusing the task-text shards');
    return { corpus, shards: found, reused: { corpus: deduplicated, shards: true } };
  }
  const jobId = await clients.ingest.startTokenize(
    {
      dataset: label(corpus),
      tokenizer: label(tokenizer),
      shardsName,
      description: `${label(corpus)} tokenized with ${label(tokenizer)}`,
      tags: [tag],
    },
    options,
  );
  const shards = await awaitIngestJob(clients.ingest, jobId, 'tokenizing the task text', reporter, signal);
  logger.info(
    { version: label(shards), tokens: shards.metrics['train_tokens'] },
    'adaptation: shards registered',
  );
  return { corpus, shards, reused: { corpus: deduplicated, shards: false } };
}

export interface AdaptationTriggerInput {
  baseModelName: string;
  adaptedModelName: string;
  shards: registry.ModelVersion;
  adaptation: AdaptationScale;
  pretrain: Pick<PipelineScale['pretrain'], 'batchSize' | 'seqLen' | 'evalBatches'>;
  /** A digest of the settings: a trigger of other settings is replaced. */
  key: string;
  signal?: AbortSignal | undefined;
}

/** The continued pre-training run the trigger starts (continue_from is the version that fires it). */
export function adaptationRunSpec(input: AdaptationTriggerInput): pretrain.RunSpec {
  const a = input.adaptation;
  return pretrain.RunSpec.fromPartial({
    modelName: input.adaptedModelName,
    shards: pinned(input.shards),
    seed: a.seed,
    training: {
      learningRate: a.learningRate,
      warmupSteps: a.warmupSteps,
      maxSteps: a.steps,
      batchSize: input.pretrain.batchSize,
      seqLen: input.pretrain.seqLen,
      evalEvery: Math.max(1, Math.floor(a.steps / Math.max(1, a.evaluations))),
      evalBatches: input.pretrain.evalBatches,
      // Only the final checkpoint is registered: the adapted base is the end of a short run.
      checkpointEvery: a.steps,
    },
    description: `${input.baseModelName} adapted to ${label(input.shards)} (${a.steps} steps)`,
    tags: ['pipeline', input.key],
  });
}

/** One adaptation trigger on the base's FINAL checkpoint (reused when its settings are the same). */
export async function createAdaptationTrigger(
  client: FinetuneClient,
  input: AdaptationTriggerInput,
  logger: Logger,
): Promise<finetune.Trigger> {
  const options = input.signal ? { signal: input.signal } : {};
  const existing = await client.listTriggers(input.baseModelName, options);
  const ours = existing.filter((t) => t.description.startsWith(`${PREFIX} [`));
  const current = ours.find((t) => t.description.includes(`[${input.key}]`));
  for (const stale of ours.filter((t) => t !== current)) {
    await client.deleteTrigger(stale.id, options);
    logger.info({ trigger: stale.id }, 'adaptation: deleted a trigger of other settings');
  }
  if (current) {
    logger.info({ trigger: current.id }, 'adaptation: reusing the trigger');
    return current;
  }
  const trigger = await client.createTrigger(
    finetune.Trigger.fromPartial({
      baseModelName: input.baseModelName,
      condition: finetune.TriggerCondition.TRIGGER_CONDITION_FINAL_CHECKPOINT,
      description: `${PREFIX} [${input.key}]: ${input.adaptedModelName}, ${input.adaptation.steps} steps on ${label(input.shards)}`,
      adaptation: adaptationRunSpec(input),
    }),
    options,
  );
  logger.info(
    { trigger: trigger.id, adapted: input.adaptedModelName, steps: input.adaptation.steps },
    'adaptation: trigger created, fires on the final checkpoint',
  );
  return trigger;
}

export interface AdaptedBase {
  run: pretrain.Run;
  checkpoint: registry.ModelVersion;
  seconds: number;
}

/** The run the trigger started for `base`'s checkpoint, once it exists. */
async function runStartedFor(
  client: PretrainClient,
  adaptedModelName: string,
  base: registry.ModelVersion,
  signal: AbortSignal | undefined,
): Promise<pretrain.Run> {
  return pollUntilFound(
    async () => {
      const runs = await client.listAllRuns({ modelName: adaptedModelName }, signal ? { signal } : {});
      return runs.find((r) => {
        const from = r.spec?.continueFrom;
        return (
          from?.name === base.modelName &&
          from.selector?.$case === 'version' &&
          from.selector.version === base.version
        );
      });
    },
    { what: `the adaptation run of ${label(base)}`, signal },
  );
}

/** Follows the adaptation run the base's final checkpoint started, to its final checkpoint. */
export async function awaitAdaptation(
  clients: { pretrain: PretrainClient; registry: RegistryClient },
  input: { adaptedModelName: string; base: registry.ModelVersion; signal?: AbortSignal | undefined },
  logger: Logger,
  reporter: Reporter = silentReporter,
): Promise<AdaptedBase> {
  const { signal } = input;
  const started = await runStartedFor(clients.pretrain, input.adaptedModelName, input.base, signal);
  logger.info({ run: started.id, from: label(input.base) }, 'adaptation: the trigger started the run');
  const task = reporter.task(`adapting ${label(input.base)} → ${input.adaptedModelName}`);
  const run = await clients.pretrain.watchRun(
    started.id,
    (update) => {
      const r = update.run;
      if (!r) return;
      task.progress(
        r.step,
        r.totalSteps,
        { loss: +r.loss.toFixed(3), unit: 'steps' },
        `adaptation: step ${r.step}/${r.totalSteps}, loss ${r.loss.toFixed(3)}`,
      );
    },
    signal ? { signal } : {},
  );
  task.done(`eval loss ${run.evalLoss.toFixed(3)}`);
  if (run.state !== common.JobState.JOB_STATE_SUCCEEDED || run.finalVersion === 0) {
    throw new HeadstartError(
      Code.ABORTED,
      `adaptation run ${run.id} ended ${common.jobStateToJSON(run.state)}: ${run.error || 'no final checkpoint'}`,
    );
  }
  const checkpoint = await clients.registry.getVersion({
    name: input.adaptedModelName,
    selector: { $case: 'version', version: run.finalVersion },
  });
  logger.info(
    { version: label(checkpoint), evalLoss: run.evalLoss, seconds: Math.round(run.trainingSeconds) },
    'adaptation: adapted base registered',
  );
  return { run, checkpoint, seconds: run.trainingSeconds };
}
