// Committing a checkpoint, in the only safe order: write the bundle locally (atomic, fsynced), register
// it (idempotent per run and step), record it in the run, then rotate local files. A crash between any
// two leaves something a resume handles: a complete local file not yet registered is registered on
// resume; a registered version not yet in the record is found by the registry search.
import { retryTransient } from '@headstart/client-kit';
import type { registry } from '@headstart/proto';
import type { RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { getTracer, withSpan } from '@headstart/telemetry';
import type { CheckpointState } from '@headstart/checkpoint';
import { readCheckpoint } from '@headstart/checkpoint';
import { packSessionCheckpoint } from '../checkpoint/pack-session';
import { rotateCheckpoints, writeCheckpointFile } from '../checkpoint/local-checkpoints';
import type { CheckpointTarget } from '../registry/register-checkpoint';
import { registerCheckpoint } from '../registry/register-checkpoint';
import type { TrainingSession } from '../training/session';
import type { RunReporter } from './run-reporter';

export interface CheckpointCommitterOptions {
  client: RegistryClient;
  target: CheckpointTarget;
  checkpointsDir: string;
  keepLast: number;
  reporter: RunReporter;
  backend: string;
  /** The run spec (proto JSON) recorded in every bundle. */
  spec: unknown;
  logger: Logger;
  /**
   * How long a registration (or its record in the run) is retried while the registry (or NATS) is
   * unavailable (restarting, a dropped connection mid-upload) before the attempt fails. Safe:
   * registration is idempotent per run and step.
   * Without it a registry restart cost the attempt (and one of its few deliveries) and the 10 s backoff
   * of the work queue. @default 30 s
   */
  registryRetryMs?: number;
}

export class CheckpointCommitter {
  /** Version this attempt resumed from: the parent (resumed_from) of its first registered checkpoint. */
  resumedFrom: number | undefined;
  /** Step and version of the last checkpoint registered by this attempt (or the one it resumed from). */
  last: { step: number; version: registry.ModelVersion } | undefined;

  constructor(private readonly options: CheckpointCommitterOptions) {}

  /** Packs, writes, registers and records the session's current state. */
  commit(session: TrainingSession, final: boolean): Promise<registry.ModelVersion> {
    return withSpan(
      getTracer('@headstart/pretrain'),
      'pretrain checkpoint',
      {
        attributes: {
          'headstart.run.id': this.options.target.runId,
          'headstart.step': session.counters.step,
          'headstart.checkpoint.final': final,
        },
      },
      async (span) => {
        const version = await this.pack(session, final);
        span.setAttribute('headstart.version', `${version.modelName}:${version.version}`);
        return version;
      },
    );
  }

  private async pack(session: TrainingSession, final: boolean): Promise<registry.ModelVersion> {
    const { options } = this;
    const bytes = await packSessionCheckpoint(session, {
      runId: options.target.runId,
      spec: options.spec,
      final,
      backend: options.backend,
    });
    const path = await writeCheckpointFile(options.checkpointsDir, session.counters.step, bytes);
    const { state } = await readCheckpoint(bytes);
    const version = await this.register(path, state);
    await rotateCheckpoints(options.checkpointsDir, options.keepLast, [
      session.counters.bestCheckpoint?.step ?? -1,
    ]);
    return version;
  }

  /** Registers a bundle already on disk and records it in the run. */
  async register(path: string, state: CheckpointState): Promise<registry.ModelVersion> {
    const best = state.bestCheckpoint?.step === state.step;
    const input = {
      target: this.options.target,
      path,
      state,
      best,
      ...(this.resumedFrom === undefined ? {} : { resumedFrom: this.resumedFrom }),
    };
    const version = await this.retrying(
      'registry unavailable; retrying the checkpoint registration',
      state,
      () => registerCheckpoint(this.options.client, input),
    );
    this.resumedFrom = undefined;
    this.last = { step: state.step, version };
    await this.record(version, state, best);
    this.options.logger.info(
      {
        runId: this.options.target.runId,
        step: state.step,
        version: version.version,
        best,
        final: state.final,
      },
      'checkpoint registered',
    );
    return version;
  }

  /**
   * A checkpoint a previous attempt registered (found in the registry on resume) becomes this attempt's
   * last one, and its figures go into the run record as if this attempt had registered it: the previous
   * attempt may have died between registering it and recording it. Without this, a run resumed from its
   * final checkpoint ended SUCCEEDED with the loss, evaluation and checkpoint of an earlier step.
   */
  async adopt(version: registry.ModelVersion, state: CheckpointState): Promise<registry.ModelVersion> {
    this.last = { step: state.step, version };
    await this.record(version, state, state.bestCheckpoint?.step === state.step);
    return version;
  }

  /**
   * `fn` again while it fails with UNAVAILABLE or DEADLINE_EXCEEDED (the registry or NATS restarting), for
   * up to `registryRetryMs`; both the registration (idempotency key) and the record update (a
   * compare-and-set of the same figures) are safe to repeat.
   */
  private async retrying<T>(warning: string, state: CheckpointState, fn: () => Promise<T>): Promise<T> {
    return retryTransient(fn, {
      boundMs: this.options.registryRetryMs ?? 30_000,
      onFirstFailure: (err) =>
        this.options.logger.warn(
          { runId: this.options.target.runId, step: state.step, err: err.message },
          warning,
        ),
    });
  }

  /** The checkpoint's figures in the run record. */
  private async record(version: registry.ModelVersion, state: CheckpointState, best: boolean): Promise<void> {
    await this.retrying('run records unavailable; retrying the checkpoint record', state, () =>
      this.writeRecord(version, state, best),
    );
  }

  private async writeRecord(
    version: registry.ModelVersion,
    state: CheckpointState,
    best: boolean,
  ): Promise<void> {
    await this.options.reporter.update((run) => ({
      ...run,
      step: state.step,
      tokensSeen: state.tokensSeen,
      sourceTokens: this.options.reporter.sourceTokens(state.sourceTokens),
      loss: state.loss,
      lastCheckpointVersion: version.version,
      lastCheckpointStep: state.step,
      trainingSeconds: (state.trainingMs ?? 0) / 1000,
      ...(best ? { bestCheckpointVersion: version.version } : {}),
      ...(state.final ? { finalVersion: version.version } : {}),
      ...(state.lastEval ? { evalLoss: state.lastEval.loss, evalStep: state.lastEval.step } : {}),
      ...(state.bestEval ? { bestEvalLoss: state.bestEval.loss, bestEvalStep: state.bestEval.step } : {}),
    }));
  }
}
