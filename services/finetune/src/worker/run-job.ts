// One fine-tune job on a worker: load the data, the base model and its tokenizer, train (resuming from a
// local checkpoint when there is one), evaluate on test, register the FINETUNED_MODEL version (idempotent:
// the job id is the idempotency key), publish FinetuneFinished (Nats-Msg-Id = job id). A job whose result
// is already registered (an earlier delivery got that far) is not trained again. An evaluation-only job
// (a study's trial) registers nothing, and a baseline method runs without a transformer at all. A failure
// throws; job-delivery.ts turns what happened into the job record's outcome.
import { retryTransient } from '@headstart/client-kit';
import { createHash } from 'node:crypto';
import { Code, HeadstartError } from '@headstart/errors';
import type { EventBus } from '@headstart/events';
import { disposeModel, type AdamW, type BertModel } from '@headstart/model';
import { finetune, type registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import type { PreparedExamples } from '../data/prepare-examples';
import { resolvedVersion } from '../jobs/build-job';
import { loadBaseCheckpoint, type BaseCheckpoint } from '../models/base-checkpoint';
import { packFinetunedBundle } from '../models/finetuned-bundle';
import { dataSettings, pinned, trainingSettings, type TrainingSettings } from '../spec/resolve-spec';
import { encodeExamples, padIdOf, type EncodedExamples } from '../training/encode';
import { evaluate } from '../training/evaluate';
import { loadJobCheckpoint, saveJobCheckpoint, type JobCheckpoint } from '../training/job-checkpoint';
import { flatMetrics } from '../training/metrics';
import { restoreParams, snapshotParams } from '../training/param-snapshot';
import { trainClassifier, type TrainOutcome } from '../training/train-classifier';
import { existingResult, registerResult, type JobScores } from './job-result';
import type { JobReporter } from './job-reporter';
import { buildJobModel, createJobOptimizer } from './job-model';
import { runBaseline } from './run-baseline';

/** How long a finished job's registration is retried while the registry is unavailable. */
const REGISTRY_RETRY_MS = 30_000;

/** Thrown inside the loop when the job record asks for a cancel. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
}

export interface RunJobContext {
  job: finetune.Finetune;
  client: RegistryClient;
  bus: EventBus;
  datasets: DatasetLoader;
  reporter: JobReporter;
  checkpointDir: string;
  /** Minimum time between job checkpoints (the first evaluation's is always written). */
  checkpointIntervalMs: number;
  logger: Logger;
  /** Aborted when the worker stops (the job goes back to the queue and resumes later). */
  signal: AbortSignal;
  /** Tells JetStream the item is still being worked on (and renews the job's lease now and then). */
  heartbeat(): void;
}

/** What a successful job adds to its record. */
export type JobResults = Pick<
  finetune.Finetune,
  'resultVersion' | 'metrics' | 'bestDev' | 'test' | 'step' | 'stoppedEarly'
>;

/** The registry versions and data a job trains on. */
interface JobInputs {
  baseVersion: registry.ModelVersion;
  datasetVersion: registry.ModelVersion;
  examples: PreparedExamples;
  base: BaseCheckpoint;
}

/** The examples as token ids, with what the reporter and the registered version say about them. */
interface JobData {
  train: EncodedExamples;
  dev: EncodedExamples;
  test: EncodedExamples;
  labels: string[];
  maxLength: number;
  padId: number;
  warnings: string[];
}

/** The model being trained and its optimizer (owned by runJob, which disposes them). */
interface Trainee {
  model: BertModel;
  optimizer: AdamW;
}

export async function runJob(ctx: RunJobContext): Promise<JobResults> {
  const spec = ctx.job.spec as finetune.FinetuneSpec;
  if (spec.method !== finetune.Method.METHOD_UNSPECIFIED) return runBaseline(ctx);
  const already = spec.evaluationOnly ? undefined : await existingResult(ctx);
  if (already) return already;
  const settings = trainingSettings(spec);
  const inputs = await loadJobInputs(ctx, spec);
  const model = buildJobModel(
    inputs.base.loadModel(),
    inputs.examples.labels.length,
    settings,
    spec.fromScratch,
  );
  const trainee: Trainee = { model, optimizer: createJobOptimizer(model, settings) };
  try {
    checkTokenizerFits(inputs.base, model);
    const data = encodeJobData(inputs, settings, model);
    const print = fingerprint(ctx.job);
    const resume = await resumeFromJobCheckpoint(ctx, trainee, print);
    await reportDataFacts(ctx, inputs.examples, data, resume);
    const outcome = await train(
      ctx,
      trainee,
      data,
      { ...settings, maxLength: data.maxLength },
      resume,
      print,
    );
    ctx.heartbeat();
    const scores = await scoreOnTest(ctx, model, data, outcome);
    if (spec.evaluationOnly) return { resultVersion: undefined, ...scores };
    const version = await packAndRegister(ctx, model, inputs, data, scores);
    return { resultVersion: resolvedVersion(version), ...scores };
  } finally {
    trainee.optimizer.dispose();
    disposeModel(model);
  }
}

/** Ties a job checkpoint to the job's exact inputs: a checkpoint of other inputs is never resumed. */
function fingerprint(job: finetune.Finetune): string {
  const spec = finetune.FinetuneSpec.encode(job.spec ?? finetune.FinetuneSpec.fromPartial({})).finish();
  return createHash('sha256')
    .update(spec)
    .update(`${job.baseVersion?.versionId}|${job.datasetVersion?.versionId}|${job.labels.join('\u0000')}`)
    .digest('hex');
}

/** The pinned base and dataset versions, the prepared examples and the base checkpoint with its tokenizer. */
async function loadJobInputs(ctx: RunJobContext, spec: finetune.FinetuneSpec): Promise<JobInputs> {
  const { job, client, signal } = ctx;
  const baseRef = job.baseVersion as finetune.ResolvedVersion;
  const datasetRef = job.datasetVersion as finetune.ResolvedVersion;
  const [baseVersion, datasetVersion] = await Promise.all([
    client.getVersion(pinned(baseRef.modelName, baseRef.version), { signal }),
    client.getVersion(pinned(datasetRef.modelName, datasetRef.version), { signal }),
  ]);
  ctx.heartbeat();
  const examples = await ctx.datasets.prepare(datasetVersion, dataSettings(spec), signal);
  const base = await loadBaseCheckpoint(client, baseVersion, signal);
  ctx.heartbeat();
  return { baseVersion, datasetVersion, examples, base };
}

/** A token id beyond the embedding table would fail deep inside training: refuse the job up front. */
function checkTokenizerFits(base: BaseCheckpoint, model: BertModel): void {
  if (base.tokenizer.vocabSize > model.config.vocabSize) {
    throw new HeadstartError(
      Code.FAILED_PRECONDITION,
      `the tokenizer has ${base.tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`,
    );
  }
}

/** Tokenizes the three splits, capping max_length at what the base model's positions allow. */
function encodeJobData(inputs: JobInputs, settings: TrainingSettings, model: BertModel): JobData {
  const { examples, base } = inputs;
  const maxLength = Math.min(settings.maxLength, model.config.maxLen);
  const warnings = [...examples.warnings];
  if (maxLength < settings.maxLength) {
    warnings.push(`max_length ${settings.maxLength} capped at the base model's ${model.config.maxLen}`);
  }
  const encode = (list: typeof examples.train) =>
    encodeExamples(base.tokenizer, list, examples.labels, maxLength);
  return {
    train: encode(examples.train),
    dev: encode(examples.dev),
    test: encode(examples.test),
    labels: examples.labels,
    maxLength,
    padId: padIdOf(base.tokenizer),
    warnings,
  };
}

/** Loads this job's local checkpoint into the model and optimizer, when there is one for these inputs. */
async function resumeFromJobCheckpoint(
  ctx: RunJobContext,
  trainee: Trainee,
  print: string,
): Promise<JobCheckpoint | undefined> {
  const resume = await loadJobCheckpoint(ctx.checkpointDir, ctx.job.id, print);
  if (resume) {
    restoreParams(trainee.model.params, resume.weights);
    trainee.optimizer.importState(resume.optimizer);
    ctx.logger.info({ finetune: ctx.job.id, step: resume.state.step }, 'resuming from the job checkpoint');
  }
  return resume;
}

/** Records what the job trains on before the first step (and stops here if it was cancelled). */
async function reportDataFacts(
  ctx: RunJobContext,
  examples: PreparedExamples,
  data: JobData,
  resume: JobCheckpoint | undefined,
): Promise<void> {
  ctx.reporter.setDataFacts({
    labels: data.labels,
    trainExamples: data.train.ids.length,
    devExamples: data.dev.ids.length,
    testExamples: data.test.ids.length,
    splitSource: examples.splitSource,
    truncatedExamples: data.train.truncated.filter(Boolean).length,
    warnings: data.warnings,
    resumedFromStep: resume?.state.step ?? 0,
  });
  if (await ctx.reporter.report({ step: resume?.state.step ?? 0 }, true)) throw new JobCancelledError();
}

/** The training loop, reporting progress, heartbeating and writing job checkpoints at most once an interval. */
async function train(
  ctx: RunJobContext,
  trainee: Trainee,
  data: JobData,
  settings: TrainingSettings,
  resume: JobCheckpoint | undefined,
  print: string,
): Promise<TrainOutcome> {
  const { model, optimizer } = trainee;
  let lastSaved = Number.NEGATIVE_INFINITY;
  return trainClassifier({
    model,
    optimizer,
    train: data.train,
    dev: data.dev,
    labels: data.labels,
    settings,
    padId: data.padId,
    signal: ctx.signal,
    ...(resume ? { resume: { state: resume.state, bestWeights: resume.bestWeights } } : {}),
    onStep: async (r) => {
      ctx.heartbeat();
      const stop = await ctx.reporter.report({
        step: r.step,
        totalSteps: r.totalSteps,
        epoch: r.epoch,
        loss: r.loss,
      });
      if (stop) throw new JobCancelledError();
    },
    onEval: async (_dev, state) => {
      const stop = await ctx.reporter.report(
        { step: state.step, epoch: state.epoch, loss: state.loss, bestDev: state.bestDev },
        true,
      );
      if (stop) throw new JobCancelledError();
    },
    saveCheckpoint: async (state, bestWeights) => {
      if (performance.now() - lastSaved < ctx.checkpointIntervalMs) return;
      lastSaved = performance.now();
      await saveJobCheckpoint(ctx.checkpointDir, ctx.job.id, print, {
        state,
        weights: await snapshotParams(model.params),
        bestWeights,
        optimizer: await optimizer.exportState(),
      });
    },
  });
}

/** The trained model (holding the best dev weights) on the test split. */
async function scoreOnTest(
  ctx: RunJobContext,
  model: BertModel,
  data: JobData,
  outcome: TrainOutcome,
): Promise<JobScores> {
  const test = await evaluate(model, data.test, data.labels, {
    padId: data.padId,
    split: 'test',
    step: outcome.state.step,
    signal: ctx.signal,
  });
  return {
    metrics: flatMetrics(test, outcome.bestDev),
    bestDev: outcome.bestDev,
    test,
    step: outcome.state.step,
    stoppedEarly: outcome.state.stoppedEarly,
  };
}

/** Packs the fine-tuned model with its tokenizer and registers it (not after the worker began to stop). */
async function packAndRegister(
  ctx: RunJobContext,
  model: BertModel,
  inputs: JobInputs,
  data: JobData,
  scores: JobScores,
): Promise<registry.ModelVersion> {
  const { job, signal } = ctx;
  const spec = job.spec as finetune.FinetuneSpec;
  const { baseVersion, datasetVersion, base } = inputs;
  const bundle = await packFinetunedBundle(model, base.tokenizerJson, {
    labels: data.labels,
    maxLength: data.maxLength,
    finetuneId: job.id,
    fromScratch: spec.fromScratch,
    base: resolvedVersion(baseVersion),
    dataset: resolvedVersion(datasetVersion),
    tokenizer: resolvedVersion(base.tokenizerVersion),
    textField: dataSettings(spec).textField,
    labelField: dataSettings(spec).labelField,
  });
  signal.throwIfAborted();
  const facts = {
    baseVersion,
    datasetVersion,
    base,
    labels: data.labels,
    maxLength: data.maxLength,
    trainExamples: data.train.ids.length,
  };
  // Idempotent per job (its id is the version's key): a registry restart mid-upload costs seconds, not
  // the delivery and the work queue's backoff.
  const version = await retryTransient(() => registerResult(ctx.client, job, facts, scores, bundle, signal), {
    boundMs: REGISTRY_RETRY_MS,
    signal,
    onFirstFailure: (err) =>
      ctx.logger.warn(
        { finetune: job.id, err: err.message },
        'registry unavailable; retrying the registration',
      ),
    beforeWait: () => ctx.heartbeat(),
  });
  ctx.logger.info(
    { finetune: job.id, version: `${version.modelName}:${version.version}`, accuracy: scores.test.accuracy },
    'fine-tuned model registered',
  );
  return version;
}
