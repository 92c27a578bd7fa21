// One fine-tune job on a worker: load the data, the base model and its tokenizer, train (resuming from a
// local checkpoint when there is one), evaluate on test, register the FINETUNED_MODEL version (idempotent:
// the job id is the idempotency key), publish FinetuneFinished (Nats-Msg-Id = job id). A job whose result
// is already registered (an earlier delivery got that far) is not trained again. An evaluation-only job
// (a study's trial) registers nothing, and a baseline method runs without a transformer at all.
import { createHash } from 'node:crypto';
import { Code, HeadstartError } from '@headstart/errors';
import type { EventBus } from '@headstart/events';
import { disposeModel, type BertModel } from '@headstart/model';
import { common, finetune, registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { DatasetLoader } from '../data/dataset-loader';
import { resolvedVersion } from '../jobs/build-job';
import { loadBaseCheckpoint } from '../models/base-checkpoint';
import { packFinetunedBundle } from '../models/finetuned-bundle';
import { dataSettings, pinned, trainingSettings } from '../spec/resolve-spec';
import { encodeExamples, padIdOf } from '../training/encode';
import { evaluate } from '../training/evaluate';
import { loadJobCheckpoint, saveJobCheckpoint } from '../training/job-checkpoint';
import { flatMetrics } from '../training/metrics';
import { restoreParams, snapshotParams } from '../training/param-snapshot';
import { trainClassifier } from '../training/train-classifier';
import type { JobReporter } from './job-reporter';
import { buildJobModel, createJobOptimizer } from './job-model';
import { runBaseline } from './run-baseline';

/** Thrown inside the loop when the API says the job was cancelled. */
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
  /** Tells JetStream the item is still being worked on. */
  heartbeat(): void;
}

/** What the worker reports to the API at the end. */
export type JobOutcome = Omit<finetune.FinishFinetuneRequest, 'finetuneId' | 'worker'>;

function fingerprint(job: finetune.Finetune): string {
  const spec = finetune.FinetuneSpec.encode(job.spec ?? finetune.FinetuneSpec.fromPartial({})).finish();
  return createHash('sha256')
    .update(spec)
    .update(`${job.baseVersion?.versionId}|${job.datasetVersion?.versionId}|${job.labels.join('\u0000')}`)
    .digest('hex');
}

async function existingResult(ctx: RunJobContext): Promise<JobOutcome | undefined> {
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
    state: common.JobState.JOB_STATE_SUCCEEDED,
    error: '',
    errorCode: '',
    resultVersion: resolvedVersion(version),
    metrics: version.metrics,
    bestDev: evaluation.bestDev ? finetune.Evaluation.fromJSON(evaluation.bestDev) : undefined,
    test: evaluation.test ? finetune.Evaluation.fromJSON(evaluation.test) : undefined,
    step: Number(version.metadata['steps'] ?? 0),
    stoppedEarly: version.metadata['stopped_early'] === 'true',
  };
}

export async function runJob(ctx: RunJobContext): Promise<JobOutcome> {
  const { job, client, logger, signal } = ctx;
  const spec = job.spec as finetune.FinetuneSpec;
  if (spec.method !== finetune.Method.METHOD_UNSPECIFIED) return runBaseline(ctx);
  const already = spec.evaluationOnly ? undefined : await existingResult(ctx);
  if (already) return already;
  const settings = trainingSettings(spec);
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
  const model: BertModel = buildJobModel(
    base.loadModel(),
    examples.labels.length,
    settings,
    spec.fromScratch,
  );
  const optimizer = createJobOptimizer(model, settings);
  try {
    if (base.tokenizer.vocabSize > model.config.vocabSize) {
      throw new HeadstartError(
        Code.FAILED_PRECONDITION,
        `the tokenizer has ${base.tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}`,
      );
    }
    const maxLength = Math.min(settings.maxLength, model.config.maxLen);
    const warnings = [...examples.warnings];
    if (maxLength < settings.maxLength) {
      warnings.push(`max_length ${settings.maxLength} capped at the base model's ${model.config.maxLen}`);
    }
    const padId = padIdOf(base.tokenizer);
    const encode = (list: typeof examples.train) =>
      encodeExamples(base.tokenizer, list, examples.labels, maxLength);
    const train = encode(examples.train);
    const dev = encode(examples.dev);
    const test = encode(examples.test);
    const truncated = train.truncated.filter(Boolean).length;

    const print = fingerprint(job);
    const resume = await loadJobCheckpoint(ctx.checkpointDir, job.id, print);
    if (resume) {
      restoreParams(model.params, resume.weights);
      optimizer.importState(resume.optimizer);
      logger.info({ finetune: job.id, step: resume.state.step }, 'resuming from the job checkpoint');
    }
    ctx.reporter.setDataFacts({
      labels: examples.labels,
      trainExamples: train.ids.length,
      devExamples: dev.ids.length,
      testExamples: test.ids.length,
      splitSource: examples.splitSource,
      truncatedExamples: truncated,
      warnings,
      resumedFromStep: resume?.state.step ?? 0,
    });
    if (await ctx.reporter.report({ step: resume?.state.step ?? 0 }, true)) throw new JobCancelledError();

    let lastSaved = Number.NEGATIVE_INFINITY;
    const outcome = await trainClassifier({
      model,
      optimizer,
      train,
      dev,
      labels: examples.labels,
      settings: { ...settings, maxLength },
      padId,
      signal,
      ...(resume ? { resume: { state: resume.state, bestWeights: resume.bestWeights } } : {}),
      onStep: async (r) => {
        ctx.heartbeat();
        const stop = await ctx.reporter.report({
          step: r.step,
          totalSteps: r.totalSteps,
          epoch: r.epoch,
          loss: r.loss,
          learningRate: r.learningRate,
          examplesPerSecond: r.examplesPerSecond,
        });
        if (stop) throw new JobCancelledError();
      },
      onEval: async (evaluation, state) => {
        const stop = await ctx.reporter.report(
          { step: state.step, epoch: state.epoch, loss: state.loss, dev: evaluation, bestDev: state.bestDev },
          true,
        );
        if (stop) throw new JobCancelledError();
      },
      saveCheckpoint: async (state, bestWeights) => {
        if (performance.now() - lastSaved < ctx.checkpointIntervalMs) return;
        lastSaved = performance.now();
        await saveJobCheckpoint(ctx.checkpointDir, job.id, print, {
          state,
          weights: await snapshotParams(model.params),
          bestWeights,
          optimizer: await optimizer.exportState(),
        });
      },
    });
    ctx.heartbeat();
    const testEval = await evaluate(model, test, examples.labels, {
      padId,
      split: 'test',
      step: outcome.state.step,
      signal,
    });
    const metrics = flatMetrics(testEval, outcome.bestDev);
    const scores = {
      metrics,
      bestDev: outcome.bestDev,
      test: testEval,
      step: outcome.state.step,
      stoppedEarly: outcome.state.stoppedEarly,
    };
    const succeeded = { state: common.JobState.JOB_STATE_SUCCEEDED, error: '', errorCode: '' };
    if (spec.evaluationOnly) return { ...succeeded, resultVersion: undefined, ...scores };
    const bundle = await packFinetunedBundle(model, base.tokenizerJson, {
      labels: examples.labels,
      maxLength,
      finetuneId: job.id,
      fromScratch: spec.fromScratch,
      base: resolvedVersion(baseVersion),
      dataset: resolvedVersion(datasetVersion),
      tokenizer: resolvedVersion(base.tokenizerVersion),
      textField: dataSettings(spec).textField,
      labelField: dataSettings(spec).labelField,
    });
    signal.throwIfAborted();
    const { version } = await client.createVersion(
      {
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
          labels: JSON.stringify(examples.labels),
          max_length: String(maxLength),
          steps: String(outcome.state.step),
          stopped_early: String(outcome.state.stoppedEarly),
          train_examples: String(train.ids.length),
          label_budget: String(spec.data?.labelBudget ?? 0),
          evaluation: JSON.stringify({
            test: finetune.Evaluation.toJSON(testEval),
            ...(outcome.bestDev ? { bestDev: finetune.Evaluation.toJSON(outcome.bestDev) } : {}),
          }),
        },
        metrics,
        tags: spec.tags,
        aliases: spec.aliases,
        runId: job.id,
        idempotencyKey: job.id,
      },
      bundle,
      { signal },
    );
    logger.info(
      { finetune: job.id, version: `${version.modelName}:${version.version}`, accuracy: testEval.accuracy },
      'fine-tuned model registered',
    );
    return { ...succeeded, resultVersion: resolvedVersion(version), ...scores };
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}
