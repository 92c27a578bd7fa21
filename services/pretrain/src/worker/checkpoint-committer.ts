// Committing a checkpoint, in the only safe order: write the bundle locally (atomic, fsynced), register
// it (idempotent per run and step), record it in the run, then rotate local files. A crash between any
// two leaves something a resume handles: a complete local file not yet registered is registered on
// resume; a registered version not yet in the record is found by the registry search.
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
    const version = await registerCheckpoint(this.options.client, {
      target: this.options.target,
      path,
      state,
      best,
      ...(this.resumedFrom === undefined ? {} : { resumedFrom: this.resumedFrom }),
    });
    this.resumedFrom = undefined;
    this.last = { step: state.step, version };
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
}
