// One attempt at a claimed run: load the shards (every source of a mixed run), resume from the newest
// checkpoint (or start fresh), train with progress, heartbeats and checkpoints, and end completed,
// cancelled or handed back for shutdown (after a checkpoint of the exact step it stopped at).
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { Code } from '@headstart/errors';
import type { AttemptOutcome, Lease } from '@headstart/jobs';
import { pretrain } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import type { Shards } from '@headstart/shards';
import { openShards } from '@headstart/shards';
import { removeTempFiles } from '../checkpoint/local-checkpoints';
import { restoreSession } from '../checkpoint/restore-session';
import { tokenizersOf } from '../registry/register-checkpoint';
import type { RunStore } from '../runs/run-records';
import { resolveRunSpec, runSources } from '../spec/resolve-run-spec';
import type { TrainingSession } from '../training/session';
import { createSession, disposeSession } from '../training/session';
import { train } from '../training/train-loop';
import { tokensPerStep } from '../training/training-config';
import { prepareTrainingData } from '../training/training-data';
import type { BackendManager } from './backend-manager';
import { CheckpointCommitter } from './checkpoint-committer';
import { PermanentRunError } from './failure';
import type { FetchedShards } from './fetch-shards';
import { fetchShards } from './fetch-shards';
import { loadBaseModel } from './load-base';
import { findResumePoint } from './resume-point';
import { RunReporter } from './run-reporter';

export interface AttemptDeps {
  client: RegistryClient;
  store: RunStore;
  nc: NatsConnection;
  logger: Logger;
  backends: BackendManager;
  /** Shards cache and run directories live under <dataDir>/pretrain. */
  dataDir: string;
  progressIntervalMs: number;
  heartbeatMs: number;
}

export interface AttemptControl {
  lease: Lease;
  working(): void;
  /** True once the worker is shutting down: stop at the next step boundary. */
  shuttingDown(): boolean;
}

function resolveStoredSpec(run: pretrain.Run) {
  const { problems, resolved } = resolveRunSpec(run.spec ?? pretrain.RunSpec.fromPartial({}));
  if (problems.length > 0) {
    throw new PermanentRunError(
      `the stored run spec is invalid: ${problems.map((p) => p.message).join('; ')}`,
      Code.INVALID_ARGUMENT,
    );
  }
  return resolved;
}

export async function runAttempt(
  run: pretrain.Run,
  control: AttemptControl,
  deps: AttemptDeps,
): Promise<AttemptOutcome<pretrain.Run>> {
  const { logger } = deps;
  const resolved = resolveStoredSpec(run);
  const { training, model: modelConfig, spec } = resolved;
  const backend = await deps.backends.ensure(training.backend);
  const sources = runSources(spec).map((s) => s.ref);
  const fetched: FetchedShards[] = [];
  for (const ref of sources) {
    fetched.push(await fetchShards(deps.client, ref, join(deps.dataDir, 'pretrain', 'shards')));
  }
  const opened = await Promise.all(fetched.map((f) => openShards(f.path)));
  const data = prepareTrainingData(
    training.mixture ? opened : (opened[0] as Shards),
    training,
    modelConfig.vocabSize,
  );

  let cancelled = run.cancelRequested;
  const reporter = new RunReporter({
    nc: deps.nc,
    store: deps.store,
    runId: run.id,
    lease: control.lease,
    totalSteps: training.totalSteps,
    sources: training.mixture ? sources : [],
    timeBudgetMs: training.timeBudgetMs,
    working: control.working,
    onCancelRequested: () => (cancelled = true),
    progressIntervalMs: deps.progressIntervalMs,
    heartbeatMs: deps.heartbeatMs,
  });
  const checkpointsDir = join(deps.dataDir, 'pretrain', 'runs', run.id, 'checkpoints');
  await removeTempFiles(checkpointsDir);
  const committer = new CheckpointCommitter({
    client: deps.client,
    target: {
      runId: run.id,
      modelName: spec.modelName,
      description: spec.description,
      tags: spec.tags,
      finalAlias: spec.finalAlias,
      shards: sources,
      tokenizers: tokenizersOf(fetched.map((f) => f.version)),
      continuedFrom: spec.continueFrom,
    },
    checkpointsDir,
    keepLast: training.keepLast,
    reporter,
    backend: backend.name,
    spec: pretrain.RunSpec.toJSON(spec),
    logger,
  });

  const resume = await findResumePoint({
    client: deps.client,
    modelName: spec.modelName,
    runId: run.id,
    checkpointsDir,
    logger,
  });
  const session: TrainingSession = resume
    ? restoreSession(resume.checkpoint, training)
    : createSession(modelConfig, training, await loadBaseModel(deps, spec.continueFrom));
  let watcher: { stop(): void } | undefined;
  try {
    if (resume) {
      const version = resume.version
        ? await committer.adopt(resume.version, resume.checkpoint.state)
        : await committer.register(resume.path, resume.checkpoint.state);
      committer.resumedFrom = version.version;
      committer.last = { step: resume.checkpoint.state.step, version };
    }
    watcher = await deps.store.watch(run.id, (record) => {
      if (record.job.cancelRequested) cancelled = true;
    });
    const resumedFromStep = session.counters.step;
    logger.info(
      { runId: run.id, backend: backend.name, resumedFromStep, totalSteps: training.totalSteps },
      'training',
    );
    await reporter.update((r) => ({
      ...r,
      backend: backend.name,
      resumedFromStep,
      step: resumedFromStep,
      tokensSeen: session.counters.tokensSeen,
      sourceTokens: reporter.sourceTokens(session.counters.sourceTokens),
      trainingSeconds: session.counters.trainingMs / 1000,
    }));
    const perStep = tokensPerStep(training);
    const outcome = await train(session, data, {
      onStep: (report) => reporter.onStep(report, perStep),
      onCheckpoint: async (report, s) => void (await committer.commit(s, report.final)),
      shouldStop: () => (cancelled ? 'cancelled' : control.shuttingDown() ? 'shutdown' : undefined),
    });
    const step = session.counters.step;
    if (outcome.kind === 'completed') {
      const finalVersion = committer.last?.version.version ?? 0;
      logger.info({ runId: run.id, finalVersion, step }, 'training completed');
      // The step it ended at: totalSteps, or fewer when its time budget ended it.
      return { kind: 'completed', results: (done) => ({ ...done, finalVersion, step }) };
    }
    if (outcome.reason === 'cancelled') return { kind: 'cancelled' };
    // Shutdown: make the exact step we stopped at the resume point, so no work is lost.
    if ((committer.last?.step ?? 0) < step) await committer.commit(session, false);
    logger.info({ runId: run.id, step }, 'training stopped for shutdown at a checkpointed step');
    return { kind: 'handedBack' };
  } finally {
    watcher?.stop();
    disposeSession(session);
  }
}
