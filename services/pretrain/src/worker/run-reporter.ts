// How a training worker tells the world: progress snapshots on core NATS (throttled, always on evals and
// checkpoints), the run record updated on a heartbeat interval, and the queue item's ack-wait reset. Every
// record write is fenced by the lease: a worker whose run was taken over (it hung past the ack wait and
// another worker resumed it) learns so on its next write and stops.
import type { Lease } from '@headstart/jobs';
import { updateLeased } from '@headstart/jobs';
import type { common } from '@headstart/proto';
import { pretrain } from '@headstart/proto';
import type { NatsConnection } from 'nats';
import { publishProgress } from '../runs/progress';
import type { RunStore } from '../runs/run-records';
import type { StepReport } from '../training/train-loop';

export interface RunReporterOptions {
  nc: NatsConnection;
  store: RunStore;
  runId: string;
  lease: Lease;
  totalSteps: number;
  /** A mixed run's sources, pinned, in the order of its mixture (empty for one source). */
  sources: common.VersionRef[];
  /** The run's time budget (0: none); the ETA is then the budget's remainder when nearer. */
  timeBudgetMs: number;
  /** Resets the work item's ack-wait timer. */
  working(): void;
  /** Called when the record says CancelRun was called. */
  onCancelRequested(): void;
  /** Minimum time between progress messages (evals, checkpoints and the last step always publish). */
  progressIntervalMs: number;
  /** Time between record updates (and ack-wait resets). */
  heartbeatMs: number;
}

/** Exponential moving average of seconds per step: steady, yet follows a change of machine load. */
const EMA = 0.1;

export class RunReporter {
  private lastStepAt = Date.now();
  private secondsPerStep: number | undefined;
  private lastProgressAt = 0;
  private lastHeartbeatAt = Date.now();
  private tokensLastStep = 0;

  constructor(private readonly options: RunReporterOptions) {}

  get tokensPerSecond(): number {
    return this.secondsPerStep ? this.tokensLastStep / this.secondsPerStep : 0;
  }

  etaSeconds(step: number, trainingMs = 0): number {
    const bySteps = this.secondsPerStep ? (this.options.totalSteps - step) * this.secondsPerStep : 0;
    const { timeBudgetMs } = this.options;
    if (timeBudgetMs <= 0) return bySteps;
    const byTime = Math.max(0, (timeBudgetMs - trainingMs) / 1000);
    return this.secondsPerStep ? Math.min(bySteps, byTime) : byTime;
  }

  /** A mixed run's token counts per source as reported (empty for a run with one source). */
  sourceTokens(tokens: readonly number[] | undefined): pretrain.SourceTokens[] {
    if (!tokens) return [];
    return this.options.sources.map((shards, i) => ({ shards, tokens: tokens[i] ?? 0 }));
  }

  /** Updates the record through the lease (heartbeat included); LostLeaseError (libs/jobs) when fenced off. */
  async update(change: (run: pretrain.Run) => pretrain.Run): Promise<pretrain.Run> {
    const { store, runId, lease } = this.options;
    const stored = await updateLeased(store, runId, lease, change);
    if (stored.job.cancelRequested) this.options.onCancelRequested();
    this.options.working();
    this.lastHeartbeatAt = Date.now();
    return stored.job;
  }

  async onStep(report: StepReport, tokensPerStep: number): Promise<void> {
    const now = Date.now();
    const seconds = (now - this.lastStepAt) / 1000;
    this.lastStepAt = now;
    this.secondsPerStep =
      this.secondsPerStep === undefined ? seconds : (1 - EMA) * this.secondsPerStep + EMA * seconds;
    this.tokensLastStep = tokensPerStep;
    const notable = report.evaluation !== undefined || report.checkpoint || report.final;
    if (notable || now - this.lastProgressAt >= this.options.progressIntervalMs) {
      this.lastProgressAt = now;
      publishProgress(this.options.nc, this.progress(report));
    }
    if (now - this.lastHeartbeatAt >= this.options.heartbeatMs) {
      await this.update((run) => ({
        ...run,
        step: report.step,
        tokensSeen: report.tokensSeen,
        sourceTokens: this.sourceTokens(report.sourceTokens),
        loss: report.loss,
        trainingSeconds: report.trainingMs / 1000,
        ...(report.evaluation ? { evalLoss: report.evaluation.loss, evalStep: report.step } : {}),
      }));
    }
  }

  progress(report: StepReport): pretrain.RunProgress {
    return pretrain.RunProgress.fromPartial({
      runId: this.options.runId,
      step: report.step,
      totalSteps: this.options.totalSteps,
      loss: report.loss,
      learningRate: report.lr,
      tokensPerSecond: this.tokensPerSecond,
      tokensSeen: report.tokensSeen,
      sourceTokens: this.sourceTokens(report.sourceTokens),
      etaSeconds: this.etaSeconds(report.step, report.trainingMs),
      fractionDone: report.fractionDone,
      trainingSeconds: report.trainingMs / 1000,
      gradNorm: report.gradNorm,
      at: new Date(),
      ...(report.evaluation
        ? { evalLoss: report.evaluation.loss, perplexity: report.evaluation.perplexity }
        : {}),
    });
  }
}
